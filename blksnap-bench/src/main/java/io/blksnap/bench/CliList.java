package io.blksnap.bench;

import io.blksnap.testing.Qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A monitoring probe's command: {@code ./blksnap snapshot -l IMG} of an image with 20 snapshots,
 * one process per iteration, against {@code qemu-img snapshot -l IMG}.
 */
final class CliList extends Cli1 {

    static final int SNAPSHOTS = 20;

    private final List<String> baseline = new ArrayList<>();

    CliList(Config config) {
        super(config);
        for (int i = 1; i <= SNAPSHOTS; i++) {
            baseline.add(String.format("base-%02d", i));
        }
    }

    @Override
    String name() {
        return "cli-list";
    }

    @Override
    String describe() {
        return "blksnap: '" + Launcher.path() + " snapshot -l IMG' (one process) on an image with " + SNAPSHOTS
                + " snapshots; qemu-img: 'snapshot -l IMG'";
    }

    @Override
    List<String> baselineSnapshots() {
        return baseline;
    }

    @Override
    List<Path> makeTemplates(Path setupDir) throws Exception {
        Path img = super.makeTemplates(setupDir).get(0);
        for (String name : baseline) {
            Qemu.img("snapshot", "-c", name, img.toString()).ok();
        }
        return List.of(img);
    }

    /** Besides the default probe, blksnap must list the snapshots qemu-img made. */
    @Override
    void probe() throws Exception {
        super.probe();
        String out = Spawn.output(dir, Launcher.command(List.of("snapshot", "-l", blksnapImage())));
        for (String name : baseline) {
            if (!out.contains(" " + name + " ")) {
                throw new BenchException("blksnap snapshot -l does not list " + name + ":\n" + out);
            }
        }
    }

    @Override
    void blksnapIteration(String snap) throws Exception {
        Spawn.quiet(dir, Launcher.command(List.of("snapshot", "-l", blksnapImage())));
    }

    @Override
    void qemuImgIteration(String snap) throws Exception {
        Spawn.quiet("qemu-img", "snapshot", "-l", pairs.get(0).qemuImg().toString());
    }
}
