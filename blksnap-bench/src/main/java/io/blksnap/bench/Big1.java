package io.blksnap.bench;

import io.blksnap.testing.Qemu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** One 8 GiB image with every cluster written; one iteration creates and deletes one snapshot. */
final class Big1 extends Scenario {

    private static final long SIZE = 8L << 30;

    Big1(Config config) {
        super(config);
    }

    @Override
    String name() {
        return "big1";
    }

    @Override
    double target() {
        return 1.0;
    }

    @Override
    int defaultIterations() {
        return 7;
    }

    @Override
    String describe() {
        return "blksnap: openForWrite+createSnapshot+close, then openForWrite+deleteSnapshot+close; "
                + "qemu-img: 'snapshot -c' then 'snapshot -d'; max heap "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MiB";
    }

    @Override
    List<Path> makeTemplates(Path setupDir) throws Exception {
        // The fast equivalent of 'qemu-io -c "write -P 0x5a 0 8G"': a raw file full of the
        // pattern, converted; every cluster holds 0x5a bytes, so every cluster is allocated.
        Path raw = setupDir.resolve("big.raw");
        Path img = setupDir.resolve("big.qcow2");
        long t0 = System.nanoTime();
        Files2.writePattern(raw, SIZE, (byte) 0x5a);
        long t1 = System.nanoTime();
        Qemu.img("convert", "-f", "raw", "-O", "qcow2", raw.toString(), img.toString()).ok();
        long t2 = System.nanoTime();
        Files.delete(raw);
        Checks.Allocation c = Checks.clean(img);
        if (c.allocated() != c.total() || c.total() != SIZE / 65536) {
            throw new BenchException(img + ": " + c.allocated() + "/" + c.total() + " clusters allocated, expected all "
                    + SIZE / 65536);
        }
        requireAllData(img);
        System.out.printf(Locale.ROOT, "# big1: raw pattern file %.1f s, qemu-img convert %.1f s; qemu-img check: "
                        + "%d/%d clusters allocated (100%%), qemu-img map: all data; file %d MiB%n",
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, c.allocated(), c.total(), Files2.sizeMiB(img));
        return List.of(img);
    }

    /** Fails unless {@code qemu-img map} reports every byte of the image as allocated, non-zero data. */
    private static void requireAllData(Path img) throws Exception {
        Qemu.Result r = Qemu.img("map", "--output=json", "-f", "qcow2", img.toString()).ok();
        for (String line : r.out().split("\n")) {
            if (line.contains("\"start\"") && !(line.contains("\"data\": true") && line.contains("\"zero\": false"))) {
                throw new BenchException("qemu-img map shows a hole or zero range in " + img + ": " + line.trim());
            }
        }
    }

    @Override
    void blksnapIteration(String snap) throws Exception {
        Path img = pairs.get(0).blksnap();
        Ops.blksnapCreate(img, snap);
        Ops.blksnapDelete(img, snap);
    }

    @Override
    void qemuImgIteration(String snap) throws Exception {
        Path img = pairs.get(0).qemuImg();
        Ops.qemuImgCreate(img, snap);
        Ops.qemuImgDelete(img, snap);
    }
}
