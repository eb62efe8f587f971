package io.blksnap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code blksnap create} against {@code qemu-img create}: the same options must give the same image facts. */
class CreateCommandTest {

    @TempDir
    Path dir;

    @BeforeEach
    void requireQemu() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "cluster_size=512",
        "cluster_size=4k",
        "cluster_size=2M",
        "cluster_size=65536",
        "refcount_bits=1",
        "refcount_bits=8",
        "refcount_bits=64",
        "compat=0.10",
        "compat=1.1",
        "extended_l2=on",
        "extended_l2=on,cluster_size=16k",
        "extended_l2=off",
        "lazy_refcounts=on",
        "lazy_refcounts=off",
        "cluster_size=128k,refcount_bits=32,lazy_refcounts=on,extended_l2=on",
    })
    void optionsAgreeWithQemuImg(String opts) throws Exception {
        Path ours = dir.resolve("ours.qcow2");
        Path theirs = dir.resolve("theirs.qcow2");
        List<String> args = new ArrayList<>(List.of("create"));
        List<String> qargs = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
        if (!opts.isEmpty()) {
            args.addAll(List.of("-o", opts));
            qargs.addAll(List.of("-o", opts));
        }
        args.addAll(List.of(ours.toString(), "1G"));
        qargs.addAll(List.of(theirs.toString(), "1G"));
        Blksnap.Run r = Blksnap.run(args.toArray(String[]::new)).ok();
        assertTrue(r.out().startsWith("Formatting '" + ours + "', fmt=qcow2"), r.out());
        Qemu.img(qargs.toArray(String[]::new)).ok();

        assertSameFacts(Images.qemuInfo(theirs), Images.qemuInfo(ours));
        Qemu.assertClean(ours);
        // the new image is usable: QEMU writes to it and it stays clean
        Qemu.io(ours, "write -P 7 0 1M", "write -P 8 512M 64k", "read -P 7 0 1M");
        Qemu.assertClean(ours);
    }

    @Test
    void separateOptionFlagsAccumulate() throws Exception {
        Path img = dir.resolve("a.qcow2");
        Blksnap.run("create", "-f", "qcow2", "-o", "cluster_size=16k", "-o", "refcount_bits=8,lazy_refcounts=on",
                img.toString(), "100M").ok();
        JsonNode data = Images.qemuInfo(img).get("format-specific").get("data");
        assertEquals(16384, Images.qemuInfo(img).get("cluster-size").asInt());
        assertEquals(8, data.get("refcount-bits").asInt());
        assertTrue(data.get("lazy-refcounts").asBoolean());
        Qemu.assertClean(img);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1G", "1g", "64k", "64K", "512", "1000", "1.5M", "3T", "100M", "1048576"})
    void sizesAgreeWithQemuImg(String size) throws Exception {
        Path ours = dir.resolve("ours.qcow2");
        Path theirs = dir.resolve("theirs.qcow2");
        Blksnap.run("create", ours.toString(), size).ok();
        Qemu.img("create", "-q", "-f", "qcow2", theirs.toString(), size).ok();
        assertEquals(Images.qemuInfo(theirs).get("virtual-size").asLong(),
                Images.qemuInfo(ours).get("virtual-size").asLong());
        Qemu.assertClean(ours);
    }

    @Test
    void overlayOnQcow2TakesTheBackingSizeAndData() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "64M").ok();
        Qemu.io(base, "write -P 5 1M 1M");
        Path overlay = dir.resolve("overlay.qcow2");
        Blksnap.run("create", "-b", "base.qcow2", "-F", "qcow2", overlay.toString()).ok();

        JsonNode info = Images.qemuInfo(overlay);
        assertEquals(64L << 20, info.get("virtual-size").asLong());
        assertEquals("base.qcow2", info.get("backing-filename").asText());
        assertEquals("qcow2", info.get("backing-filename-format").asText());
        assertEquals(base.toString(), info.get("full-backing-filename").asText());
        Qemu.assertClean(overlay);
        assertEquals(-1, Files.mismatch(Qemu.toRaw(base, null, dir), Qemu.toRaw(overlay, null, dir)));
        Qemu.io(overlay, "read -P 5 1M 1M", "write -P 6 0 64k");
        Qemu.assertClean(overlay);
    }

    @Test
    void overlayOnRawWithExplicitSize() throws Exception {
        Path base = dir.resolve("base.raw");
        Files.write(base, new byte[1 << 20]);
        Path overlay = dir.resolve("overlay.qcow2");
        Blksnap.run("create", "-b", base.toString(), "-F", "raw", overlay.toString(), "2M").ok();
        JsonNode info = Images.qemuInfo(overlay);
        assertEquals(2L << 20, info.get("virtual-size").asLong());
        assertEquals(base.toString(), info.get("backing-filename").asText());
        assertEquals("raw", info.get("backing-filename-format").asText());
        Qemu.assertClean(overlay);
    }

    @Test
    void backingFormatIsDetectedAndRecordedWithoutF() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Qemu.img("create", "-q", "-f", "qcow2", sub.resolve("base.qcow2").toString(), "16M").ok();
        Files.write(sub.resolve("base.raw"), new byte[4 << 20]);
        Path q = sub.resolve("q.qcow2");
        Path r = sub.resolve("r.qcow2");
        // relative backing names are relative to the new image, not to the current directory
        Blksnap.run("create", "-b", "base.qcow2", q.toString()).ok();
        Blksnap.run("create", "-b", "base.raw", r.toString()).ok();
        assertEquals("qcow2", Images.qemuInfo(q).get("backing-filename-format").asText());
        assertEquals(16L << 20, Images.qemuInfo(q).get("virtual-size").asLong());
        assertEquals("raw", Images.qemuInfo(r).get("backing-filename-format").asText());
        assertEquals(4L << 20, Images.qemuInfo(r).get("virtual-size").asLong());
        Qemu.assertClean(q);
        Qemu.assertClean(r);
    }

    @Test
    void existingFileIsNotOverwritten() throws Exception {
        Path img = dir.resolve("a.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "1M").ok();
        String before = Images.sha256(img);
        Blksnap.Run r = Blksnap.run("create", img.toString(), "1G");
        Errors.assertOneLine(r, img.toString());
        assertEquals(before, Images.sha256(img));
    }

    @Test
    void refusedOptionsLeaveNoFile() throws Exception {
        Path img = dir.resolve("a.qcow2");
        for (String[] args : List.of(
                new String[] {"create", "-o", "compat=0.10,refcount_bits=8", img.toString(), "1G"},
                new String[] {"create", "-o", "cluster_size=3k", img.toString(), "1G"},
                new String[] {"create", "-o", "extended_l2=on,cluster_size=4k", img.toString(), "1G"},
                new String[] {"create", "-o", "compat=2", img.toString(), "1G"},
                new String[] {"create", "-b", "missing.qcow2", "-F", "qcow2", img.toString()})) {
            Errors.assertOneLine(Blksnap.run(args), img.toString());
            assertFalse(Files.exists(img), String.join(" ", args));
        }
    }

    @Test
    void usageErrorsExitTwo() {
        Path img = dir.resolve("a.qcow2");
        for (String[] args : List.of(
                new String[] {"create", img.toString()},
                new String[] {"create", img.toString(), "1Q"},
                new String[] {"create", img.toString(), "1.5"},
                new String[] {"create", "-o", "foo=1", img.toString(), "1G"},
                new String[] {"create", "-o", "lazy_refcounts=maybe", img.toString(), "1G"},
                new String[] {"create", "-o", "refcount_bits=x", img.toString(), "1G"},
                new String[] {"create", "-F", "raw", img.toString(), "1G"},
                new String[] {"create", "-f", "raw", img.toString(), "1G"})) {
            Blksnap.Run r = Blksnap.run(args);
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().lines().count() <= 2, r.err());
            assertFalse(Files.exists(img));
        }
    }

    private static void assertSameFacts(JsonNode expected, JsonNode actual) {
        for (String f : List.of("virtual-size", "cluster-size", "format")) {
            assertEquals(expected.get(f), actual.get(f), f);
        }
        JsonNode e = expected.get("format-specific").get("data");
        JsonNode a = actual.get("format-specific").get("data");
        for (String f : List.of("compat", "refcount-bits", "extended-l2", "lazy-refcounts", "compression-type",
                "corrupt")) {
            assertEquals(e.get(f), a.get(f), f);
        }
    }
}
