package io.blksnap.cli;

import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The plain one-image snapshot forms that {@code main} runs without picocli: they do what the
 * picocli path does, print the same and exit the same; every other form is left to picocli.
 */
class SingleImageSnapshotTest {

    @TempDir
    Path dir;

    String plain;
    String viaPicocli;

    @BeforeEach
    void images() throws Exception {
        Qemu.require("qemu-img");
        plain = dir.resolve("plain.qcow2").toString();
        viaPicocli = dir.resolve("picocli.qcow2").toString();
        for (String image : List.of(plain, viaPicocli)) {
            Qemu.img("create", "-q", "-f", "qcow2", image, "16M").ok();
            Qemu.img("snapshot", "-c", "old", image).ok();
        }
    }

    /** Runs the plain path on {@code plain} and picocli on {@code viaPicocli}; both must agree. */
    private Blksnap.Run both(String... args) {
        String[] a = args.clone();
        a[a.length - 1] = plain;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Integer exit = SingleImageSnapshot.runPlain(a, new PrintWriter(out), new PrintWriter(err));
        assertEquals(true, exit != null, "not a plain form: " + List.of(a));
        String[] b = args.clone();
        b[b.length - 1] = viaPicocli;
        Blksnap.Run picocli = Blksnap.run(b);
        Blksnap.Run quick = new Blksnap.Run(exit, out.toString(), err.toString().replace(plain, viaPicocli));
        assertEquals(picocli.toString(), quick.toString());
        return quick;
    }

    @Test
    void plainFormsDoWhatPicocliDoes() throws Exception {
        both("snapshot", "-c", "s1", "IMAGE").ok();
        both("snapshot", "-c", "s2", "IMAGE").ok();
        both("snapshot", "-a", "s1", "IMAGE").ok();
        both("snapshot", "-d", "old", "IMAGE").ok();
        assertEquals(List.of("s1", "s2"), Qemu.snapshotNames(Path.of(plain)));
        Qemu.assertClean(Path.of(plain));
        // listing reads only: both paths on the same image (their snapshot times may differ by a second)
        StringWriter out = new StringWriter();
        assertEquals(0, SingleImageSnapshot.runPlain(new String[] {"snapshot", "-l", plain},
                new PrintWriter(out), new PrintWriter(new StringWriter())));
        assertEquals(Blksnap.run("snapshot", "-l", plain).ok().out(), out.toString());
    }

    @Test
    void failuresGiveTheSameLineAndExitCode() {
        assertEquals(1, both("snapshot", "-d", "none", "IMAGE").exit());
        assertEquals(1, both("snapshot", "-c", "old", "IMAGE").exit());
        assertEquals(1, both("snapshot", "-a", "none", "IMAGE").exit());
        String missing = dir.resolve("missing.qcow2").toString();
        StringWriter err = new StringWriter();
        assertEquals(1, SingleImageSnapshot.runPlain(new String[] {"snapshot", "-l", missing},
                new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertEquals(Blksnap.run("snapshot", "-l", missing).err(), err.toString());
    }

    @Test
    void everyOtherFormIsLeftToPicocli() {
        for (String[] args : new String[][] {
            {"snapshot", "-l"}, {"snapshot", "-l", "--json", "x"}, {"snapshot", "-l", "x", "y"},
            {"snapshot", "-c", "n", "x", "y"}, {"snapshot", "-c", "-l", "x"}, {"snapshot", "-c", "n", "--help"},
            {"snapshot", "-c", "n", "@args"}, {"snapshot", "-c", "", "x"}, {"snapshot", "-cn", "x"},
            {"snapshot", "--id", "1", "x"}, {"snapshot", "-x", "n", "x"}, {"info", "-l", "x"},
            {"snapshots", "-c", "n", "x"}, {"--help"}, {},
        }) {
            assertNull(SingleImageSnapshot.runPlain(args, new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter())), List.of(args).toString());
        }
    }
}
