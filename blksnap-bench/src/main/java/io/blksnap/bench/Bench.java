package io.blksnap.bench;

import io.blksnap.testing.Qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The blksnap benchmark: for each scenario, blksnap (in-process, or {@code ./blksnap} processes
 * for the cli scenarios) against qemu-img processes on identical fresh copies of the same images. Prints one
 * {@code RESULT <scenario> blksnap_ms=<median> qemu_img_ms=<median> speedup=<qemu_img/blksnap>}
 * line per scenario and {@code #} diagnostics; exits non-zero when a scenario fails or its
 * images do not verify.
 *
 * <p>Environment: BENCH_DIR (data, default bench/work), BENCH_ITERS (timed iterations per side,
 * default per scenario), BENCH_JIT_MS (blksnap-only JIT warm-up, default 3000 ms), BENCH_WARMUP
 * (alternating untimed iterations per side, default 3; 1 for cli-group32), BENCH_THREADS (blksnap workers for
 * group32, default 2), BENCH_TXN_THREADS (the engine's parallelism for txn32; default 0:
 * EngineOptions.defaults(), 4), BLKSNAP_LAUNCHER (the cli scenarios' {@code ./blksnap}), BENCH_KEEP=1
 * (keep the images).
 *
 * <p>Scenarios named together share what they can: group32, txn32 and cli-group32 start from
 * one set of templates, built once and copied fresh to both sides of each.
 */
public final class Bench {

    static final List<String> SCENARIOS = List.of("group32", "txn32", "cli-group32", "big1", "many", "cli1", "cli-list",
            "live2x4", "commit1g");

    private Bench() {
    }

    public static void main(String[] args) {
        Config config = Config.fromEnv();
        List<String> names = args.length == 0 ? SCENARIOS : List.of(args);
        int rc = 0;
        Set<String> built = new HashSet<>();
        Set<Path> templateDirs = new HashSet<>();
        try {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                try {
                    if (name.equals("commit1g")) {
                        // its own loop: each iteration consumes its base image
                        Commit1g.run(config);
                        continue;
                    }
                    Scenario s = scenario(name, config);
                    String key = templateKey(name);
                    boolean later = false;
                    for (String other : names.subList(i + 1, names.size())) {
                        later |= !other.equals(name) && templateKey(other).equals(key);
                    }
                    Path templates = config.dir().resolve(key + "-templates");
                    templateDirs.add(templates);
                    try {
                        run(s, config, templates, built.contains(key), later);
                    } finally {
                        if (s.templatesKept) {
                            built.add(key);
                        }
                    }
                } catch (Exception | AssertionError e) {
                    // AssertionError: io.blksnap.testing.Qemu's way of saying an image is not clean
                    System.out.println("# FAILED " + name + ": " + e.getMessage());
                    e.printStackTrace();
                    rc = 1;
                }
            }
        } finally {
            for (Path t : templateDirs) {
                try {
                    Files2.deleteTree(t);
                } catch (IOException e) {
                    System.out.println("# cannot delete " + t + ": " + e);
                }
            }
        }
        System.out.flush();
        System.exit(rc);
    }

    /** Scenarios with the same key start from the same templates (txn32, cli-group32: group32's). */
    static String templateKey(String name) {
        return switch (name) {
            case "txn32", "cli-group32" -> "group32";
            default -> name;
        };
    }

    static Scenario scenario(String name, Config config) {
        return switch (name) {
            case "group32" -> new Group32(config);
            case "big1" -> new Big1(config);
            case "many" -> new Many(config);
            case "txn32" -> new Txn32(config);
            case "cli-group32" -> new CliGroup32(config);
            case "cli1" -> new Cli1(config);
            case "cli-list" -> new CliList(config);
            case "live2x4" -> new Live2x4(config);
            default -> throw new BenchException("unknown scenario \"" + name + "\" (known: " + SCENARIOS + ")");
        };
    }

    /**
     * Runs one scenario; its templates are in (or go to) {@code templates}, made by an earlier
     * scenario when {@code built}, and stay for a later one when {@code keep}.
     */
    static void run(Scenario scenario, Config config, Path templates, boolean built, boolean keep)
            throws Exception {
        String name = scenario.name();
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
        Path dir = config.dir().resolve(name);
        Files2.deleteTree(dir);
        Files.createDirectories(dir);
        scenario.dir = dir;
        try (Scenario s = scenario) {
            int n = config.iterations() > 0 ? config.iterations() : s.defaultIterations();
            int warmup = config.warmup() >= 0 ? config.warmup() : s.defaultWarmup();
            System.out.printf(Locale.ROOT, "# %s: java %s, %d cpus, max heap %d MiB, %d warm-up + %d timed iterations"
                            + " per side (alternating), data in %s%n", name, System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                    warmup, n, dir);
            System.out.println("# " + s.describe());

            long t0 = System.nanoTime();
            boolean made = s.setup(dir, templates, built, keep);
            System.out.printf(Locale.ROOT, "# setup: %d image(s) per side in %.1f s (%s)%n", s.pairs.size(),
                    (System.nanoTime() - t0) / 1e9, made ? "templates made" + (keep ? ", kept for a later scenario" : "")
                            : "copies of the templates an earlier scenario made" + (keep ? ", kept" : ""));
            t0 = System.nanoTime();
            s.probe();
            System.out.printf(Locale.ROOT, "# probe ok (%.1f s): qemu-img check is clean with a blksnap-made snapshot"
                    + " and after its deletion%n", (System.nanoTime() - t0) / 1e9);

            t0 = System.nanoTime();
            int jit = 0;
            long jitNs = s.inProcess() ? config.jitMs() * 1_000_000L : 0;
            while (jit < s.minJitIterations() || System.nanoTime() - t0 < jitNs) {
                s.blksnapIteration("bench-j" + jit++);
            }
            System.out.printf(Locale.ROOT, "# %s: %d blksnap-only iterations in %.1f s%n",
                    s.inProcess() ? "JIT warm-up" : "page-cache warm-up (each blksnap process starts a cold JVM: no JIT warm-up)",
                    jit, (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            for (int w = 0; w < warmup; w++) {
                pair(s, "bench-w" + w, w);
            }
            System.out.printf(Locale.ROOT, "# warm-up pairs: %d per side in %.1f s%n", warmup,
                    (System.nanoTime() - t0) / 1e9);
            s.beforeTiming();
            List<Double> b = new ArrayList<>();
            List<Double> q = new ArrayList<>();
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                double[] ms = pair(s, "bench-t" + i, i);
                b.add(ms[0]);
                q.add(ms[1]);
            }
            System.out.printf(Locale.ROOT, "# timed iterations took %.1f s; blksnap_ms: %s%n",
                    (System.nanoTime() - t0) / 1e9, Stats.list(b));
            System.out.println("# qemu_img_ms: " + Stats.list(q));
            if (s.extraDiagnostics() != null) {
                System.out.println("# " + s.extraDiagnostics());
            }

            s.beforeVerify();
            t0 = System.nanoTime();
            int images = s.verify();
            System.out.printf(Locale.ROOT, "# verify ok (%.1f s): %d image(s) pass qemu-img check (no leaks, no corruption)"
                    + " and list %d snapshot(s), none left over%n", (System.nanoTime() - t0) / 1e9, images,
                    s.baselineSnapshots().size());

            double bm = Stats.median(b);
            double qm = Stats.median(q);
            double speedup = qm / bm;
            System.out.printf(Locale.ROOT, "# target speedup >= %.2f: %s%n", s.target(),
                    speedup >= s.target() ? "met" : "MISSED");
            System.out.printf(Locale.ROOT, "RESULT %s blksnap_ms=%.1f qemu_img_ms=%.1f speedup=%.2f%s%n",
                    name, bm, qm, speedup, s.extraResult());
        } finally {
            if (config.keep()) {
                System.out.println("# BENCH_KEEP=1: images kept in " + dir);
            } else {
                Files2.deleteTree(dir);
            }
        }
    }

    /**
     * One blksnap and one qemu-img iteration, in alternating order so neither side always runs
     * right after the other has warmed (or dirtied) the caches. Returns {blksnap ms, qemu-img ms}.
     */
    private static double[] pair(Scenario s, String snap, int i) throws Exception {
        double bMs;
        double qMs;
        if (i % 2 == 0) {
            bMs = time(() -> s.blksnapIteration(snap));
            qMs = time(() -> s.qemuImgIteration(snap));
        } else {
            qMs = time(() -> s.qemuImgIteration(snap));
            bMs = time(() -> s.blksnapIteration(snap));
        }
        return new double[] {bMs, qMs};
    }

    private interface Step {
        void run() throws Exception;
    }

    private static double time(Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        return (System.nanoTime() - t0) / 1e6;
    }
}
