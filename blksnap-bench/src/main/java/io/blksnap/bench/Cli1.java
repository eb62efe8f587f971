package io.blksnap.bench;

import io.blksnap.testing.Qemu;

import java.nio.file.Path;
import java.util.List;

/**
 * One image (4 GiB virtual, 64 MiB written), the command line as a deploy script uses it: one
 * iteration is a {@code ./blksnap snapshot -c NAME IMG} process then a {@code snapshot -d NAME IMG}
 * process, against the same two {@code qemu-img snapshot} commands. Start-up dominates both sides.
 */
class Cli1 extends Scenario {

    Cli1(Config config) {
        super(config);
    }

    @Override
    String name() {
        return "cli1";
    }

    /** Within 6x of qemu-img. */
    @Override
    double target() {
        return 1.0 / 6;
    }

    @Override
    int defaultIterations() {
        return 7;
    }

    @Override
    boolean inProcess() {
        return false;
    }

    @Override
    String describe() {
        return "blksnap: '" + Launcher.path() + " snapshot -c NAME IMG' then 'snapshot -d NAME IMG' (two processes);"
                + " qemu-img: 'snapshot -c' then 'snapshot -d'";
    }

    @Override
    List<Path> makeTemplates(Path setupDir) throws Exception {
        Path img = setupDir.resolve("one.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "4G").ok();
        Qemu.io(img, "write -P 0x5a 0 64M");
        Qemu.assertClean(img);
        return List.of(img);
    }

    protected final String blksnapImage() {
        return pairs.get(0).blksnap().toAbsolutePath().toString();
    }

    @Override
    void blksnapIteration(String snap) throws Exception {
        Spawn.quiet(dir, Launcher.command(List.of("snapshot", "-c", snap, blksnapImage())));
        Spawn.quiet(dir, Launcher.command(List.of("snapshot", "-d", snap, blksnapImage())));
    }

    @Override
    void qemuImgIteration(String snap) throws Exception {
        Path img = pairs.get(0).qemuImg();
        Ops.qemuImgCreate(img, snap);
        Ops.qemuImgDelete(img, snap);
    }
}
