package io.blksnap.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The blksnap benchmark: for each scenario, blksnap in-process against a qemu-img loop on
 * identical fresh copies of the same images. Prints one
 * {@code RESULT <scenario> blksnap_ms=<median> qemu_img_ms=<median> speedup=<qemu_img/blksnap>}
 * line per scenario and {@code #} diagnostics; exits non-zero when a scenario fails or its
 * images do not verify.
 *
 * <p>Environment: BENCH_DIR (data, default bench/work), BENCH_ITERS (timed iterations per side,
 * default per scenario), BENCH_JIT_MS (blksnap-only JIT warm-up, default 3000 ms), BENCH_WARMUP
 * (alternating untimed iterations per side, default 3), BENCH_THREADS (blksnap workers for
 * group32, default 2), BENCH_KEEP=1 (keep the images).
 */
public final class Bench {

    static final List<String> SCENARIOS = List.of("group32", "big1", "many");

    private Bench() {
    }

    public static void main(String[] args) {
        Config config = Config.fromEnv();
        List<String> names = args.length == 0 ? SCENARIOS : List.of(args);
        int rc = 0;
        for (String name : names) {
            try {
                run(name, config);
            } catch (Exception e) {
                System.out.println("# FAILED " + name + ": " + e.getMessage());
                e.printStackTrace();
                rc = 1;
            }
        }
        System.out.flush();
        System.exit(rc);
    }

    static Scenario scenario(String name, Config config) {
        return switch (name) {
            case "group32" -> new Group32(config);
            case "big1" -> new Big1(config);
            case "many" -> new Many(config);
            default -> throw new BenchException("unknown scenario \"" + name + "\" (known: " + SCENARIOS + ")");
        };
    }

    static void run(String name, Config config) throws Exception {
        Scenario scenario = scenario(name, config);
        Tools.requireTools();
        Path dir = config.dir().resolve(name);
        Files2.deleteTree(dir);
        Files.createDirectories(dir);
        try (Scenario s = scenario) {
            int n = config.iterations() > 0 ? config.iterations() : s.defaultIterations();
            System.out.printf(Locale.ROOT, "# %s: java %s, %d cpus, max heap %d MiB, %d warm-up + %d timed iterations"
                            + " per side (alternating), data in %s%n", name, System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                    config.warmup(), n, dir);
            System.out.println("# " + s.describe());

            long t0 = System.nanoTime();
            s.setup(dir);
            System.out.printf(Locale.ROOT, "# setup: %d image(s) per side in %.1f s%n", s.pairs.size(),
                    (System.nanoTime() - t0) / 1e9);
            s.probe();
            System.out.println("# probe ok: qemu-img check is clean with a blksnap-made snapshot and after its deletion");

            t0 = System.nanoTime();
            int jit = 0;
            while (jit < s.minJitIterations() || System.nanoTime() - t0 < config.jitMs() * 1_000_000L) {
                s.blksnapIteration("bench-j" + jit++);
            }
            System.out.printf(Locale.ROOT, "# JIT warm-up: %d blksnap-only iterations in %.1f s%n", jit,
                    (System.nanoTime() - t0) / 1e9);
            for (int w = 0; w < config.warmup(); w++) {
                pair(s, "bench-w" + w, w);
            }
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

            int images = s.verify();
            System.out.println("# verify ok: " + images + " image(s) pass qemu-img check (no leaks, no corruption) and list "
                    + s.baselineSnapshots().size() + " snapshot(s), none left over");

            double bm = Stats.median(b);
            double qm = Stats.median(q);
            double speedup = qm / bm;
            System.out.printf(Locale.ROOT, "# target speedup >= %.2f: %s%n", s.target(),
                    speedup >= s.target() ? "met" : "MISSED");
            System.out.printf(Locale.ROOT, "RESULT %s blksnap_ms=%.1f qemu_img_ms=%.1f speedup=%.2f%n",
                    name, bm, qm, speedup);
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
