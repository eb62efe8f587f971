package io.blksnap.bench;

import io.blksnap.qcow2.MergeResult;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.testing.Qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * commit1g: an overlay holding 1 GiB of written data merged into its base, the engine
 * ({@link Qcow2Image#commitInto}) against {@code qemu-img commit} on an identical copy, and a
 * plain sequential {@code dd} copy of 1 GiB (with {@code conv=fdatasync}, as durable as a merge)
 * on the same disk. Not a {@link Scenario}: an iteration consumes its base image, so each one
 * gets a fresh copy of it (untimed); the overlay is only read, by both sides.
 */
final class Commit1g {

    private static final long VIRTUAL = 2L << 30;
    private static final long WRITTEN = 1L << 30;
    private static final int CLUSTER = 65536;

    private Commit1g() {
    }

    static void run(Config config) throws Exception {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
        Path dir = config.dir().resolve("commit1g");
        Files2.deleteTree(dir);
        Files.createDirectories(dir);
        try {
            measure(config, dir);
        } finally {
            if (config.keep()) {
                System.out.println("# BENCH_KEEP=1: images kept in " + dir);
            } else {
                Files2.deleteTree(dir);
            }
        }
    }

    private static void measure(Config config, Path dir) throws Exception {
        // A multiple of 3: each side runs first, second and third equally often. On a shared or
        // virtual disk whoever follows another's gigabyte of writes is measurably slower.
        int n = config.iterations() > 0 ? config.iterations() : 6;
        int warmup = config.warmup() >= 0 ? config.warmup() : 1;
        System.out.printf(Locale.ROOT, "# commit1g: java %s, %d cpus, max heap %d MiB, %d warm-up + %d timed"
                        + " iterations per side (rotating order), data in %s; %s%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, warmup, n, dir,
                load());
        System.out.println("# blksnap: Qcow2Image.commitInto(top, base) in-process; qemu-img: 'commit -q -d' (-d: the"
                + " overlay is not emptied afterwards, as blksnap leaves it); dd: 'dd bs=1M conv=fdatasync' of a"
                + " 1 GiB file to a new file in the same directory");

        long t0 = System.nanoTime();
        Path template = Files.createDirectories(dir.resolve("template"));
        Path base = template.resolve("base.qcow2");
        Path top = template.resolve("top.qcow2");
        makeTemplates(base, top);
        Path src = dir.resolve("dd-src.raw");
        Files2.writePattern(src, WRITTEN, (byte) 0x5a);
        Files2.sync(src);
        Path dst = dir.resolve("dd-dst.raw");
        Side blksnap = new Side(Files.createDirectories(dir.resolve("blksnap")), top);
        Side qemu = new Side(Files.createDirectories(dir.resolve("qemu-img")), top);
        System.out.printf(Locale.ROOT, "# setup: %.1f s; %s%n", (System.nanoTime() - t0) / 1e9, load());

        List<Double> b = new ArrayList<>();
        List<Double> q = new ArrayList<>();
        List<Double> d = new ArrayList<>();
        for (int i = 0; i < warmup + n; i++) {
            blksnap.freshBase(base);
            qemu.freshBase(base);
            Files.deleteIfExists(dst);
            double[] ms = new double[3];
            // Rotating order: no side always runs first, or right after another has filled the disk's queue.
            for (int r = 0; r < 3; r++) {
                int which = (i + r) % 3;
                // Untimed: other processes' dirty data is not written back inside a timed flush.
                Spawn.quiet("sync");
                long s = System.nanoTime();
                switch (which) {
                    case 0 -> {
                        MergeResult m = Qcow2Image.commitInto(blksnap.top, blksnap.base);
                        if (m.dataClusters() * CLUSTER != WRITTEN) {
                            throw new BenchException("blksnap merged " + m + ", expected " + WRITTEN + " bytes of data");
                        }
                    }
                    case 1 -> Spawn.quiet("qemu-img", "commit", "-q", "-d", "-f", "qcow2", qemu.top.toString());
                    default -> Spawn.quiet("dd", "if=" + src, "of=" + dst, "bs=1M", "conv=fdatasync", "status=none");
                }
                ms[which] = (System.nanoTime() - s) / 1e6;
            }
            // Untimed, every iteration: a figure from a wrong merge must not count.
            long v = System.nanoTime();
            Checks.clean(blksnap.base);
            Qemu.img("compare", "-q", "-f", "qcow2", "-F", "qcow2", blksnap.base.toString(), qemu.base.toString()).ok();
            String what = i < warmup ? "warm-up" : "timed";
            System.out.printf(Locale.ROOT, "# %s %d: blksnap %.0f ms, qemu-img %.0f ms, dd %.0f ms; bases compare"
                            + " equal, blksnap's is clean (%.1f s); %s%n", what, i, ms[0], ms[1], ms[2],
                    (System.nanoTime() - v) / 1e9, load());
            if (i >= warmup) {
                b.add(ms[0]);
                q.add(ms[1]);
                d.add(ms[2]);
            }
        }
        double bm = Stats.median(b);
        double qm = Stats.median(q);
        double dm = Stats.median(d);
        double speedup = qm / bm;
        double ddRatio = bm / dm;
        System.out.println("# blksnap_ms: " + Stats.list(b) + "; qemu_img_ms: " + Stats.list(q) + "; dd_ms: "
                + Stats.list(d));
        System.out.printf(Locale.ROOT, "# target speedup >= 1.00: %s; target dd_ratio (blksnap/dd) <= 2.00: %s%n",
                speedup >= 1.0 ? "met" : "MISSED", ddRatio <= 2.0 ? "met" : "MISSED");
        System.out.printf(Locale.ROOT, "RESULT commit1g blksnap_ms=%.1f qemu_img_ms=%.1f speedup=%.2f dd_ms=%.1f"
                + " dd_ratio=%.2f%n", bm, qm, speedup, dm, ddRatio);
    }

    /**
     * base: 2 GiB virtual, 320 MiB written; top on it: 1 GiB written, 768 MiB in large sequential
     * writes (over the base's data and beyond) and 256 scattered 1 MiB writes over the upper half.
     */
    private static void makeTemplates(Path base, Path top) throws Exception {
        Qemu.img("create", "-q", "-f", "qcow2", base.toString(), Long.toString(VIRTUAL)).ok();
        Qemu.io(base, "write -P 0x11 0 256M", "write -P 0x12 1536M 64M");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", base.getFileName().toString(), "-F", "qcow2",
                top.toString()).ok();
        List<String> writes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            writes.add("write -P " + (0x20 + i) + " " + i * 64 + "M 64M");
        }
        for (int i = 0; i < 256; i++) {
            writes.add("write -P " + (0x40 + i % 64) + " " + (1024 + i * 4) + "M 1M");
        }
        Qemu.io(top, writes.toArray(String[]::new));
        Checks.Allocation a = Checks.clean(top);
        if (a.allocated() * CLUSTER != WRITTEN) {
            throw new BenchException(top + " holds " + a.allocated() + " clusters, expected " + WRITTEN / CLUSTER);
        }
        Files2.sync(base);
        Files2.sync(top);
    }

    /** The machine's load average, for the figures' context (the machine may be shared). */
    private static String load() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return "load " + f[0] + " " + f[1] + " " + f[2];
    }

    /** One side's chain: its own overlay (only read, so copied once) over a fresh base per iteration. */
    private static final class Side {
        final Path base;
        final Path top;

        Side(Path dir, Path templateTop) throws IOException {
            this.base = dir.resolve("base.qcow2");
            this.top = dir.resolve("top.qcow2");
            Files2.copyDurably(templateTop, top);
        }

        void freshBase(Path template) throws IOException {
            Files2.copyDurably(template, base);
        }
    }
}
