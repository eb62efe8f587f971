package io.blksnap.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A training run for the command line's class-data-sharing archive: the {@code ./blksnap}
 * launcher runs this once after each build under {@code -XX:ArchiveClassesAtExit}, so that every
 * later command finds the classes it needs already parsed, verified and laid out in the archive
 * (JDK 17 AppCDS). It runs the usual commands on throw-away images in a temporary directory and
 * prints nothing.
 */
public final class StartupTraining {

    private StartupTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("blksnap-training");
        try {
            String a = dir.resolve("a.qcow2").toString();
            String b = dir.resolve("b.qcow2").toString();
            String state = dir.resolve("state").toString();
            String[][] commands = {
                {"create", "-f", "qcow2", a, "64M"},
                {"create", "-f", "qcow2", b, "64M"},
                {"info", a}, {"info", "--json", a},
                {"check", a}, {"check", "--json", a},
                {"snapshot", "-c", "t1", a}, {"snapshot", "-l", a}, {"snapshot", "-l", "--json", a},
                {"snapshot", "-a", "t1", a}, {"snapshot", "-d", "t1", a},
                // the same through picocli (an option makes them not plain)
                {"snapshot", "-c", "t1", "--type", "internal", a}, {"snapshot", "-l", "--config", "config", a},
                {"snapshot", "-d", "t1", "--type", "internal", a},
                {"snapshot", "-c", "t2", "--state-dir", state, a, b},
                {"snapshot", "-d", "t2", "--state-dir", state, a, b},
                {"snapshot", "-d", "none", a}, // the error path
                {"snapshot", "-x"}, // a usage error
                {"recover", "--state-dir", state},
                {"--help"}, {"--version"}, {"snapshot", "--help"},
            };
            for (String[] command : commands) {
                // as BlksnapCommand.main: the plain one-image forms first, then picocli
                PrintWriter out = new PrintWriter(Writer.nullWriter());
                PrintWriter err = new PrintWriter(Writer.nullWriter());
                if (SingleImageSnapshot.runPlain(command, out, err) == null) {
                    var cmd = BlksnapCommand.commandLine(command);
                    cmd.setOut(out);
                    cmd.setErr(err);
                    cmd.execute(command);
                }
            }
        } finally {
            List<Path> all = new ArrayList<>();
            try (Stream<Path> s = Files.walk(dir)) {
                s.forEach(all::add);
            }
            all.sort(Comparator.reverseOrder());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }
}
