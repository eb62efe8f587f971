package io.blksnap.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code ./blksnap} launcher as an operator runs it: the command-line scenarios spawn it, so
 * its staleness check and the JVM start are part of their time.
 */
final class Launcher {

    private Launcher() {
    }

    /** BLKSNAP_LAUNCHER (bench/run.sh sets it), else ./blksnap in the working directory. */
    static Path path() {
        String env = System.getenv("BLKSNAP_LAUNCHER");
        Path p = (env == null || env.isBlank() ? Path.of("blksnap") : Path.of(env.trim())).toAbsolutePath().normalize();
        if (!Files.isExecutable(p)) {
            throw new BenchException("the blksnap launcher " + p + " is missing or not executable");
        }
        return p;
    }

    /** {@code ./blksnap ARGS...} as a command. */
    static String[] command(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(path().toString());
        cmd.addAll(args);
        return cmd.toArray(String[]::new);
    }
}
