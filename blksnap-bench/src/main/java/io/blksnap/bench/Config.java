package io.blksnap.bench;

import java.nio.file.Path;

/**
 * Knobs, from the environment (run.sh passes them through).
 *
 * @param dir        where scenario data goes (one sub-directory per scenario)
 * @param iterations timed iterations per side, or 0 for the scenario's default
 * @param jitMs      before the warm-up pairs, blksnap-only iterations for this long (and at least
 *                   {@link Scenario#minJitIterations()}):
 *                   JIT warm-up, so the timed iterations run compiled engine code
 * @param warmup     untimed iterations per side before timing (alternating, as timed ones), or -1
 *                   for the scenario's default
 * @param keep       keep the images after the run (BENCH_KEEP=1)
 * @param threads    blksnap worker threads for group32's per-image operations
 * @param txnThreads the engine's parallelism for txn32 ({@code EngineOptions.withParallelism});
 *                   0 for {@code EngineOptions.defaults()}
 */
record Config(Path dir, int iterations, int jitMs, int warmup, boolean keep, int threads, int txnThreads) {

    static Config fromEnv() {
        return new Config(
                Path.of(env("BENCH_DIR", "bench/work")).toAbsolutePath(),
                Integer.parseInt(env("BENCH_ITERS", "0")),
                Integer.parseInt(env("BENCH_JIT_MS", "3000")),
                Integer.parseInt(env("BENCH_WARMUP", "-1")),
                env("BENCH_KEEP", "0").equals("1"),
                Integer.parseInt(env("BENCH_THREADS", "2")),
                Integer.parseInt(env("BENCH_TXN_THREADS", "0")));
    }

    private static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v.trim();
    }
}
