package io.blksnap.bench;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.testing.Qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An image (4 GiB virtual, 64 MiB written) that already has 1000 snapshots; one iteration
 * creates and deletes one more.
 */
final class Many extends Scenario {

    static final int SNAPSHOTS = 1000;

    private final List<String> baseline = new ArrayList<>();

    Many(Config config) {
        super(config);
        for (int i = 1; i <= SNAPSHOTS; i++) {
            baseline.add(String.format("base-%04d", i));
        }
    }

    @Override
    String name() {
        return "many";
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
        return "blksnap: openForWrite+createSnapshot+close, then openForWrite+deleteSnapshot+close on an image with "
                + SNAPSHOTS + " snapshots; qemu-img: 'snapshot -c' then 'snapshot -d'";
    }

    @Override
    List<String> baselineSnapshots() {
        return baseline;
    }

    @Override
    List<Path> makeTemplates(Path setupDir) throws Exception {
        Path img = setupDir.resolve("many.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "4G").ok();
        Qemu.io(img, "write -P 0x33 0 64M");
        long t0 = System.nanoTime();
        // The engine, in one session: much faster than 1000 qemu-img processes.
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            for (String name : baseline) {
                q.createSnapshot(NewSnapshot.now(name));
            }
        }
        System.out.printf("# many: %d snapshots made by the engine in %.1f s%n", SNAPSHOTS,
                (System.nanoTime() - t0) / 1e9);
        Qemu.assertClean(img);
        List<String> names = Qemu.snapshotNames(img);
        if (!names.equals(baseline)) {
            throw new BenchException("qemu-img snapshot -l lists " + names.size() + " snapshots, expected "
                    + SNAPSHOTS);
        }
        System.out.println("# many: qemu-img check clean, qemu-img snapshot -l lists " + names.size()
                + " snapshots, file " + Files2.sizeMiB(img) + " MiB");
        return List.of(img);
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
