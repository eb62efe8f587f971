package io.blksnap.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The timed path of both sides: one child process, as a shell loop would start it. Not a tool
 * wrapper (io.blksnap.testing.Qemu is that); it spawns qemu-img and ./blksnap alike, with no temp
 * files, so neither side pays for the harness.
 */
final class Spawn {

    private Spawn() {
    }

    /**
     * Spawns, waits, fails on a non-zero exit. Stdout is discarded; stderr is read only to explain
     * a failure (qemu-img snapshot prints nothing when it succeeds).
     */
    static void quiet(Path workDir, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        Process p = pb.start();
        byte[] err;
        try (InputStream in = p.getErrorStream()) {
            err = in.readAllBytes();
        }
        int exit = p.waitFor();
        if (exit != 0) {
            throw new BenchException(String.join(" ", cmd) + " exited " + exit + ": "
                    + new String(err, StandardCharsets.UTF_8).trim());
        }
    }

    /** Runs a command (not timed) and returns its stdout; fails on a non-zero exit. */
    static String output(Path workDir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (p.waitFor() != 0) {
            throw new BenchException(String.join(" ", cmd) + " exited " + p.exitValue() + "\n" + out);
        }
        return out;
    }

    static void quiet(String... cmd) throws IOException, InterruptedException {
        quiet(null, cmd);
    }
}
