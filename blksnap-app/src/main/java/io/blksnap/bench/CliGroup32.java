package io.blksnap.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * group32's images, the blksnap side through the command line: one iteration is one
 * {@code java -jar blksnap.jar snapshot -c NAME --state-dir DIR IMG1..IMG32} process (one
 * journaled transaction over all 32 images), then one {@code snapshot -d NAME ...} process,
 * each spawned exactly as the qemu-img processes are. JVM start-up is part of the time.
 */
final class CliGroup32 extends Group32 {

    /**
     * The JVM flags of the {@code ./blksnap} launcher's {@code exec java} line: keep the two
     * in step (BENCH_CLI_JAVA_OPTS overrides them here). C1 only: a command lives about a
     * second, and C2 compiling its hot loops costs more CPU than it saves (about a third of a
     * group create + delete's CPU time on 2 cores).
     */
    static final String LAUNCHER_JAVA_OPTS = "-XX:TieredStopAtLevel=1";

    private final List<String> java;
    private final String opts;

    CliGroup32(Config config) {
        super(config);
        this.opts = config.cliJavaOpts() != null ? config.cliJavaOpts().trim() : LAUNCHER_JAVA_OPTS;
        java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (!opts.isBlank()) {
            java.addAll(Arrays.asList(opts.split("\\s+")));
        }
        java.add("-jar");
        java.add(jar().toString());
    }

    /** The jar this benchmark runs from: blksnap.jar, whose main class is the command line. */
    private static Path jar() {
        try {
            Path p = Path.of(CliGroup32.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(p) || !p.getFileName().toString().endsWith(".jar")) {
                throw new BenchException("cli-group32 needs the benchmark to run from blksnap.jar, not " + p);
            }
            return p;
        } catch (URISyntaxException | SecurityException e) {
            throw new BenchException("cannot locate blksnap.jar: " + e);
        }
    }

    @Override
    String name() {
        return "cli-group32";
    }

    @Override
    double target() {
        return 1.0;
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
    int minJitIterations() {
        return 1; // every process starts cold: this only warms the page cache
    }

    @Override
    String describe() {
        return "blksnap: one process '" + String.join(" ", java) + " snapshot -c NAME --state-dir "
                + dir.resolve("cli-state") + " IMG1..IMG" + IMAGES + "' (one journaled transaction), then one"
                + " 'snapshot -d NAME ...' process; JVM flags " + (opts.isBlank() ? "none" : "'" + opts + "'")
                + (config.cliJavaOpts() != null ? " (BENCH_CLI_JAVA_OPTS)" : " (the ./blksnap launcher's)")
                + "; qemu-img: sequential loop, 'snapshot -c' per image then 'snapshot -d' per image ("
                + 2 * IMAGES + " processes)";
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
        Tools.runQuiet(command("-c", snap));
    }

    private void deleteAll(String snap) throws Exception {
        Tools.runQuiet(command("-d", snap));
    }

    private String[] command(String action, String snap) {
        List<String> cmd = new ArrayList<>(java);
        cmd.addAll(List.of("snapshot", action, snap, "--state-dir", dir.resolve("cli-state").toString()));
        cmd.addAll(blksnapImageArgs());
        return cmd.toArray(String[]::new);
    }
}
