#!/usr/bin/env bash
# blksnap benchmark (module blksnap-bench; see bench/README.md): blksnap against qemu-img processes,
# on identical fresh copies of the same images. Usage:
#   bench/run.sh [group32|txn32|cli-group32|big1|many|cli1|cli-list|live2x4|commit1g ...]   (default: all nine)
# group32, txn32 and cli-group32 run in one JVM, one after another, sharing one set of template
# images (built once, copied fresh for each); the others get a JVM each. The cli scenarios spawn
# the ./blksnap launcher, as an operator would.
#
# Prints per scenario one line
#   RESULT <scenario> blksnap_ms=<median> qemu_img_ms=<median> speedup=<qemu_img/blksnap>
# (commit1g adds dd_ms=<median> dd_ratio=<blksnap/dd>: a durable 1 GiB dd copy on the same disk)
# plus diagnostics starting with '#'. Exits non-zero if a scenario fails or its images do not
# pass qemu-img check afterwards.
#
# Environment: BENCH_DIR (data; default bench/work, git-ignored), BENCH_ITERS (timed iterations
# per side; default 5 for group32, txn32 and cli-group32, 6 for commit1g, 7 for big1 and many), BENCH_WARMUP
# (alternating untimed iterations per side, default 3; 1 for cli-group32 and commit1g), BENCH_JIT_MS
# (blksnap-only JIT warm-up, default 3000), BENCH_THREADS (blksnap worker threads for group32,
# default 2),
# BENCH_TXN_THREADS (the engine's parallelism for txn32; default 0: EngineOptions.defaults(), 4),
# BENCH_KEEP=1 (keep the images), JAVA_OPTS (extra JVM flags of the benchmark JVM),
# BENCH_SKIP_BUILD=1 (use the jars as they are).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ALL=(group32 txn32 cli-group32 big1 many cli1 cli-list live2x4 commit1g)
# scenarios that share group32's images: run in one JVM
GROUP=(group32 txn32 cli-group32)
in_group() { [[ " ${GROUP[*]} " == *" $1 "* ]]; }
if [ $# -eq 0 ]; then
    SCENARIOS=("${ALL[@]}")
else
    SCENARIOS=("$@")
fi
for s in "${SCENARIOS[@]}"; do
    case "$s" in
        group32|txn32|cli-group32|big1|many|cli1|cli-list|live2x4|commit1g) ;;
        *) echo "unknown scenario '$s' (known: ${ALL[*]})" >&2; exit 2 ;;
    esac
done

for tool in java mvn qemu-img qemu-io dd; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 2; }
done

export BENCH_DIR=${BENCH_DIR:-$ROOT/bench/work}
mkdir -p "$BENCH_DIR"

# big1 needs two 8 GiB images plus, during setup, an 8 GiB raw source; the group32 family needs
# two sides of 32 x 64 MiB plus the shared templates; commit1g a template chain, two merged
# copies of it and a 1 GiB dd source and copy.
need_gib=8
for s in "${SCENARIOS[@]}"; do
    [ "$s" = commit1g ] && [ "$need_gib" -lt 9 ] && need_gib=9
    [ "$s" = big1 ] && need_gib=18
done
avail_gib=$(( $(df -Pk "$BENCH_DIR" | awk 'NR==2 {print $4}') / 1024 / 1024 ))
if [ "$avail_gib" -lt "$need_gib" ]; then
    echo "only ${avail_gib} GiB free under $BENCH_DIR; the benchmark needs about ${need_gib} GiB" >&2
    exit 2
fi

cleanup() {
    if [ "${BENCH_KEEP:-0}" != 1 ]; then
        for s in "${SCENARIOS[@]}"; do rm -rf "${BENCH_DIR:?}/$s" "${BENCH_DIR:?}/$s-templates"; done
        rmdir "$BENCH_DIR" 2>/dev/null || true
    fi
}
trap cleanup EXIT

start=$(date +%s)
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    echo "# building blksnap-bench/target/blksnap-bench.jar and the blksnap jars"
    # Maven's own output (even -q prints colour resets) goes to stderr, cleaned: stdout carries
    # only RESULT and '#' lines.
    mvn -B -q -DskipTests package -pl blksnap-bench -am 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d' >&2
fi
JAR=$ROOT/blksnap-bench/target/blksnap-bench.jar
export BLKSNAP_LAUNCHER=$ROOT/blksnap
# the launcher's one-time preparation (a build when stale) is not part of any timing
"$BLKSNAP_LAUNCHER" --version >/dev/null

rc=0
group_done=0
for s in "${SCENARIOS[@]}"; do
    heap=()
    run=("$s")
    if in_group "$s"; then
        [ "$group_done" = 1 ] && continue
        group_done=1
        # this and every later group32-family scenario, in the order given, in one JVM
        run=()
        for t in "${SCENARIOS[@]}"; do in_group "$t" && run+=("$t"); done
    fi
    # big1 must work with a tiny heap: the engine may not hold an 8 GiB image's metadata at once.
    [ "$s" = big1 ] && heap=(-Xmx64m)
    # shellcheck disable=SC2086
    java "${heap[@]}" ${JAVA_OPTS:-} -cp "$JAR" io.blksnap.bench.Bench "${run[@]}" || rc=1
done
echo "# bench/run.sh ${SCENARIOS[*]}: $(( $(date +%s) - start )) s in all, exit $rc"
exit $rc
