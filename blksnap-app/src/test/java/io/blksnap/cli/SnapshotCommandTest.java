package io.blksnap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code blksnap snapshot} with QEMU as the oracle: qemu-img check stays clean and qemu-img agrees. */
class SnapshotCommandTest {

    @TempDir
    Path dir;

    Path img;
    String name;
    Path state;

    @BeforeEach
    void image() throws Exception {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
        img = dir.resolve("disk.qcow2");
        name = img.toString();
        state = dir.resolve("state");
        Qemu.img("create", "-q", "-f", "qcow2", name, "64M").ok();
        Qemu.io(img, "write -P 1 0 1M", "write -P 2 32M 64k");
    }

    @Test
    void createDeleteApplyKeepTheImageCleanForQemu() throws Exception {
        Path first = Qemu.toRaw(img, null, dir);
        Blksnap.snapshot(state, "-c", "s1", name).ok();
        Qemu.assertClean(img);
        assertEquals(List.of("s1"), Qemu.snapshotNames(img));
        assertEquals(-1, Files.mismatch(first, Qemu.toRaw(img, "s1", dir)));

        Qemu.io(img, "write -P 3 0 2M");
        Path second = Qemu.toRaw(img, null, dir);
        Blksnap.snapshot(state, "-c", "s2", name).ok();
        Qemu.assertClean(img);
        assertEquals(List.of("s1", "s2"), Qemu.snapshotNames(img));

        Qemu.io(img, "write -P 4 1M 3M");
        Blksnap.snapshot(state, "-a", "s1", name).ok();
        Qemu.assertClean(img);
        assertEquals(-1, Files.mismatch(first, Qemu.toRaw(img, null, dir)));

        Blksnap.snapshot(state, "-d", "s1", name).ok();
        Qemu.assertClean(img);
        assertEquals(List.of("s2"), Qemu.snapshotNames(img));
        assertEquals(-1, Files.mismatch(first, Qemu.toRaw(img, null, dir)));
        assertEquals(-1, Files.mismatch(second, Qemu.toRaw(img, "s2", dir)));

        Blksnap.snapshot(state, "-a", "s2", name).ok();
        Blksnap.snapshot(state, "-d", "s2", name).ok();
        Qemu.assertClean(img);
        assertEquals(List.of(), Qemu.snapshotNames(img));
        assertEquals(-1, Files.mismatch(second, Qemu.toRaw(img, null, dir)));
        // QEMU can still write to what we left behind
        Qemu.io(img, "write -P 9 0 8M");
        Qemu.assertClean(img);
    }

    @Test
    void listTableIsQemuImgsTable() throws Exception {
        Qemu.img("snapshot", "-c", "made by qemu", name).ok();
        Blksnap.snapshot(state, "-c", "made-by-blksnap", name).ok();
        Qemu.img("snapshot", "-c", "x", name).ok();
        String expected = Qemu.img("snapshot", "-l", "-U", name).ok().out();
        Blksnap.Run r = Blksnap.snapshot(state, "-l", name).ok();
        assertEquals(expected, r.out());
        assertEquals("", r.err());
    }

    @Test
    void listTableOfAnImageWithoutSnapshots() throws Exception {
        // qemu-img prints nothing at all here; we print the header of an empty table
        Blksnap.Run r = Blksnap.snapshot(state, "-l", name).ok();
        assertEquals(List.of("Snapshot list:", "ID        TAG               VM SIZE                DATE     VM CLOCK"
                + "     ICOUNT"), r.out().lines().toList());
    }

    @Test
    void listJsonAgreesWithQemuImgInfo() throws Exception {
        Qemu.img("snapshot", "-c", "q1", name).ok();
        Blksnap.snapshot(state, "-c", "b1", name).ok();
        JsonNode ours = Images.json(Blksnap.snapshot(state, "-l", "--json", name).ok().out());
        JsonNode theirs = Images.qemuInfo(img).get("snapshots");
        assertTrue(ours.isArray());
        assertEquals(2, ours.size());
        for (int i = 0; i < 2; i++) {
            JsonNode o = ours.get(i);
            JsonNode t = theirs.get(i);
            assertEquals(List.of("id", "name", "vmStateSize", "dateSec", "dateNsec", "vmClockNsec", "icount",
                    "diskSize"), iterable(o));
            assertEquals(t.get("id").asText(), o.get("id").asText());
            assertEquals(t.get("name").asText(), o.get("name").asText());
            assertEquals(t.get("vm-state-size").asLong(), o.get("vmStateSize").asLong());
            assertEquals(t.get("date-sec").asLong(), o.get("dateSec").asLong());
            assertEquals(t.get("date-nsec").asLong(), o.get("dateNsec").asLong());
            assertEquals(t.get("vm-clock-sec").asLong() * 1_000_000_000L + t.get("vm-clock-nsec").asLong(),
                    o.get("vmClockNsec").asLong());
            assertEquals(t.has("icount") ? t.get("icount").asLong() : -1, o.get("icount").asLong());
            assertEquals(64L << 20, o.get("diskSize").asLong());
        }
        Path empty = dir.resolve("empty.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", empty.toString(), "1M").ok();
        JsonNode none = Images.json(Blksnap.snapshot(state, "-l", "--json", empty.toString()).ok().out());
        assertTrue(none.isArray());
        assertEquals(0, none.size());
    }

    @Test
    void applyResolvesIdBeforeNameAsQemuImgDoes() throws Exception {
        Blksnap.snapshot(state, "-c", "2", name).ok();          // id 1, named "2"
        Qemu.io(img, "write -P 5 0 1M");
        Blksnap.snapshot(state, "-c", "other", name).ok();      // id 2
        Qemu.io(img, "write -P 6 0 1M");
        Path copy = dir.resolve("copy.qcow2");
        Files.copy(img, copy, StandardCopyOption.COPY_ATTRIBUTES);

        Blksnap.snapshot(state, "-a", "2", name).ok();
        Qemu.img("snapshot", "-a", "2", copy.toString()).ok();
        Qemu.assertClean(img);
        assertEquals(-1, Files.mismatch(Qemu.toRaw(copy, null, dir), Qemu.toRaw(img, null, dir)));
        Qemu.io(img, "read -P 5 0 1M");
        // a name that is no id is found as a name
        Blksnap.snapshot(state, "-a", "other", name).ok();
        Qemu.io(img, "read -P 5 0 1M");
    }

    @Test
    void deleteWithMatchingId() throws Exception {
        Blksnap.snapshot(state, "-c", "a", name).ok();
        Blksnap.snapshot(state, "-c", "b", name).ok();
        Blksnap.snapshot(state, "-d", "b", "--id", "2", name).ok();
        Qemu.assertClean(img);
        assertEquals(List.of("a"), Qemu.snapshotNames(img));
    }

    @Test
    void interoperatesWithSnapshotsQemuMade() throws Exception {
        Qemu.img("snapshot", "-c", "q", name).ok();
        Qemu.io(img, "write -P 7 0 1M");
        Blksnap.snapshot(state, "-c", "b", name).ok();
        Qemu.img("snapshot", "-d", "q", name).ok();
        Qemu.assertClean(img);
        Blksnap.snapshot(state, "-a", "b", name).ok();
        Qemu.io(img, "read -P 7 0 1M");
        Blksnap.snapshot(state, "-d", "b", name).ok();
        Qemu.assertClean(img);
        assertEquals(List.of(), Qemu.snapshotNames(img));
    }

    @Test
    void refusedRequestsLeaveTheImageUntouched() throws Exception {
        Blksnap.snapshot(state, "-c", "a", name).ok();
        Blksnap.snapshot(state, "-c", "b", name).ok();
        String before = Images.sha256(img);
        assertTrue(Errors.assertOneLine(Blksnap.snapshot(state, "-c", "a", name), name).contains("already exists"));
        assertTrue(Errors.assertOneLine(Blksnap.snapshot(state, "-d", "nope", name), name).contains("does not exist"));
        assertTrue(Errors.assertOneLine(Blksnap.snapshot(state, "-a", "nope", name), name).contains("does not exist"));
        assertTrue(Errors.assertOneLine(Blksnap.snapshot(state, "-d", "a", "--id", "2", name), name)
                .contains("does not exist"));
        Errors.assertOneLine(Blksnap.snapshot(state, "-c", "", name), name);
        assertEquals(before, Images.sha256(img));
        assertEquals(List.of("a", "b"), Qemu.snapshotNames(img));
        Qemu.assertClean(img);
    }

    @Test
    void refcountOverflowIsRefusedCleanly() throws Exception {
        Path one = dir.resolve("one-bit.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "refcount_bits=1", one.toString(), "16M").ok();
        Qemu.io(one, "write -P 1 0 1M");
        String before = Images.sha256(one);
        Errors.assertOneLine(Blksnap.snapshot(state, "-c", "s", one.toString()), one.toString());
        assertEquals(before, Images.sha256(one));
        Qemu.assertClean(one);
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        String before = Images.sha256(img);
        for (String[] args : List.of(
                new String[] {"snapshot", name},
                new String[] {"snapshot", "-l", "-c", "a", name},
                new String[] {"snapshot", "-c", "a", "--id", "1", name},
                new String[] {"snapshot", "-c", "a"},
                new String[] {"snapshot", "-l", name, name},
                new String[] {"snapshot", "-d", "a", "--id", "1", "--type", "external", name},
                new String[] {"snapshot", "-c", "a", "--type", "weird", name},
                new String[] {"snapshot", "-c", "a", "--target-dir", "/tmp", name},
                new String[] {"snapshot", "-c", "a", "--memory", name},
                new String[] {"snapshot", "-d", "a", "--memory", "--group", "g"},
                new String[] {"snapshot", "-c", "a", "--group", "g", name},
                new String[] {"snapshot", "-d", "a", "--id", "1", "--group", "g"},
                new String[] {"snapshot", "-c", "../x", "--type", "external", name})) {
            Blksnap.Run r = Blksnap.run(args);
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().lines().count() <= 2, r.err());
        }
        assertEquals(before, Images.sha256(img));
    }

    private static List<String> iterable(JsonNode o) {
        List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
