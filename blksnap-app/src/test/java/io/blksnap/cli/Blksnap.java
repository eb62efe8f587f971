package io.blksnap.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs blksnap in-process, as {@code main} would, with stdout and stderr captured. */
final class Blksnap {

    record Run(int exit, String out, String err) {
        Run ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
            }
            return this;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    private Blksnap() {
    }

    /**
     * {@code blksnap snapshot --state-dir STATE ARGS}: the engine's journal goes to {@code state} (under the test's
     * temporary directory), never to the default {@code work/state} of the checkout.
     */
    static Run snapshot(Path state, String... args) {
        List<String> all = new ArrayList<>(List.of("snapshot", "--state-dir", state.toString()));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = BlksnapCommand.commandLine(args);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
