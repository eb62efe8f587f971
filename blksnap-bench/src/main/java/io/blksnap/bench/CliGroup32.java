package io.blksnap.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * group32's images, the blksnap side through the command line: one iteration is one
 * {@code ./blksnap snapshot -c NAME --state-dir DIR IMG1..IMG32} process (one journaled
 * transaction over all 32 images), then one {@code snapshot -d NAME ...} process, each spawned
 * exactly as the qemu-img processes are. The launcher's check and the JVM start are part of the time.
 */
final class CliGroup32 extends Group32 {

    CliGroup32(Config config) {
        super(config);
    }

    @Override
    String name() {
        return "cli-group32";
    }

    @Override
    double target() {
        return 2.0;
    }

    @Override
    boolean inProcess() {
        return false;
    }

    /** The blksnap side has no JIT to warm (every process starts cold): one pair settles the caches. */
    @Override
    int defaultWarmup() {
        return 1;
    }

    @Override
    String describe() {
        return "blksnap: one process '" + Launcher.path() + " snapshot -c NAME --state-dir "
                + dir.resolve("cli-state") + " IMG1..IMG" + IMAGES + "' (one journaled transaction), then one"
                + " 'snapshot -d NAME ...' process; qemu-img: sequential loop, 'snapshot -c' per image then"
                + " 'snapshot -d' per image (" + 2 * IMAGES + " processes)";
    }

    @Override
    void probe() throws Exception {
        probeGroup(this::createAll, this::deleteAll);
    }

    @Override
    void blksnapIteration(String snap) throws Exception {
        createAll(snap);
        deleteAll(snap);
    }

    private void createAll(String snap) throws Exception {
        Spawn.quiet(dir, command("-c", snap));
    }

    private void deleteAll(String snap) throws Exception {
        Spawn.quiet(dir, command("-d", snap));
    }

    private String[] command(String action, String snap) {
        List<String> args = new ArrayList<>(List.of("snapshot", action, snap, "--state-dir",
                dir.resolve("cli-state").toString()));
        args.addAll(blksnapImageArgs());
        return Launcher.command(args);
    }
}
