package io.blksnap.bench;

import io.blksnap.testing.Qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * 32 images of 4 GiB virtual, 64 MiB written each; one iteration snapshots every image, then
 * deletes that snapshot from every image: a group operation. {@link Txn32} and {@link CliGroup32}
 * use the same images and qemu-img loop with another blksnap side.
 */
class Group32 extends Scenario {

    static final int IMAGES = 32;
    private static final long WRITTEN_CLUSTERS = (64L << 20) / 65536;

    private final Parallel workers;
    private List<Path> blksnapImages;
    private List<String> blksnapImageArgs;

    Group32(Config config) {
        super(config);
        this.workers = new Parallel(config.threads());
    }

    @Override
    String name() {
        return "group32";
    }


    @Override
    double target() {
        return 10.0;
    }

    @Override
    int defaultIterations() {
        return 5;
    }

    @Override
    int minJitIterations() {
        return inProcess() ? 16 : 1; // 64 engine operations each: 1024 in all
    }

    @Override
    String describe() {
        return "blksnap: " + IMAGES + " images over " + workers.threads() + " worker thread(s): "
                + "openForWrite+createSnapshot+close on every image, then openForWrite+deleteSnapshot+close "
                + "on every image; qemu-img: sequential loop, 'snapshot -c' per image then 'snapshot -d' per image";
    }

    @Override
    List<Path> makeTemplates(Path setupDir) throws Exception {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            out.add(setupDir.resolve(String.format("img%02d.qcow2", i)));
        }
        // Two qemu-io processes at a time: setup time, not measured.
        try (Parallel setup = new Parallel(2)) {
            setup.each(out, img -> {
                int i = out.indexOf(img);
                Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "4G").ok();
                Qemu.io(img, String.format("write -P 0x%02x 0 64M", (i + 1) & 0xff));
                Checks.Allocation c = Checks.clean(img);
                if (c.allocated() != WRITTEN_CLUSTERS) {
                    throw new BenchException(img + " has " + c.allocated() + " clusters allocated, expected "
                            + WRITTEN_CLUSTERS);
                }
            });
        }
        return out;
    }

    protected final List<Path> blksnapImages() {
        if (blksnapImages == null) {
            blksnapImages = pairs.stream().map(Pair::blksnap).toList();
        }
        return blksnapImages;
    }

    /** The blksnap side's images as absolute path strings (device names, command-line arguments). */
    protected final List<String> blksnapImageArgs() {
        if (blksnapImageArgs == null) {
            blksnapImageArgs = blksnapImages().stream().map(p -> p.toAbsolutePath().normalize().toString()).toList();
        }
        return blksnapImageArgs;
    }

    /**
     * Probe for sides that act on the whole group at once: the timed group create itself makes
     * the probe snapshot, the first, a middle and the last image must then pass qemu-img check
     * and list it, and the group delete must leave them clean (verify checks all of them at the
     * end).
     */
    protected final void probeGroup(GroupStep create, GroupStep delete) throws Exception {
        List<Path> all = blksnapImages();
        List<Path> sample = List.of(all.get(0), all.get(all.size() / 2), all.get(all.size() - 1));
        create.run("bench-probe");
        for (Path img : sample) {
            Qemu.assertClean(img);
            List<String> names = Qemu.snapshotNames(img);
            if (!names.equals(List.of("bench-probe"))) {
                throw new BenchException("qemu-img lists " + names + " on " + img + ", expected [bench-probe]");
            }
        }
        delete.run("bench-probe");
        for (Path img : sample) {
            Qemu.assertClean(img);
            if (!Qemu.snapshotNames(img).isEmpty()) {
                throw new BenchException("the probe snapshot is left over on " + img);
            }
        }
    }

    protected interface GroupStep {
        void run(String snap) throws Exception;
    }

    @Override
    void blksnapIteration(String snap) throws Exception {
        List<Path> imgs = blksnapImages();
        workers.each(imgs, img -> Ops.blksnapCreate(img, snap));
        workers.each(imgs, img -> Ops.blksnapDelete(img, snap));
    }

    @Override
    void qemuImgIteration(String snap) throws Exception {
        for (Pair p : pairs) {
            Ops.qemuImgCreate(p.qemuImg(), snap);
        }
        for (Pair p : pairs) {
            Ops.qemuImgDelete(p.qemuImg(), snap);
        }
    }

    @Override
    public void close() {
        workers.close();
    }
}
