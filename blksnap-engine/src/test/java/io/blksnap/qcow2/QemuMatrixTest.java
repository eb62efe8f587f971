package io.blksnap.qcow2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Images made and written by QEMU, snapshotted, reverted and deleted by the engine, judged by
 * QEMU: {@code qemu-img check} clean, {@code qemu-img snapshot -l} agreeing, and every snapshot
 * reading back (through qemu-img convert) exactly the bytes written before it was taken.
 */
class QemuMatrixTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** One image layout: qemu-img create options and whether it sits on a backing file. */
    record Layout(String label, String options, boolean backing) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Layout> layouts() {
        return Stream.of(
                new Layout("512B-v3", "cluster_size=512", false),
                new Layout("4k-v2", "cluster_size=4096,compat=0.10", false),
                new Layout("64k-v3-default", "cluster_size=65536", false),
                new Layout("64k-v2", "compat=0.10", false),
                new Layout("2M-v3", "cluster_size=2M", false),
                new Layout("64k-refcount64", "refcount_bits=64", false),
                new Layout("4k-refcount64", "cluster_size=4096,refcount_bits=64", false),
                new Layout("64k-refcount8", "refcount_bits=8", false),
                new Layout("64k-extl2", "extended_l2=on", false),
                new Layout("2M-extl2", "cluster_size=2M,extended_l2=on", false),
                new Layout("64k-zstd", "compression_type=zstd", false),
                new Layout("64k-lazy", "lazy_refcounts=on", false),
                new Layout("64k-backing", "cluster_size=65536", true),
                new Layout("4k-v2-backing", "cluster_size=4096,compat=0.10", true));
    }

    private Path makeImage(Layout l) throws Exception {
        Path img = dir.resolve("disk.qcow2");
        List<String> args = new ArrayList<>(List.of("create", "-q", "-f", "qcow2", "-o", l.options()));
        if (l.backing()) {
            Path base = dir.resolve("base.qcow2");
            Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "32M").ok();
            Qemu.io(base, "write -P 0x11 0 6M", "write -c -P 0x12 8M 2M");
            args.addAll(List.of("-b", "base.qcow2", "-F", "qcow2"));
        }
        args.add(img.toString());
        args.add("32M");
        Qemu.img(args.toArray(String[]::new)).ok();
        return img;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void createApplyDeleteAgreeWithQemu(Layout l) throws Exception {
        Path img = makeImage(l);
        Qemu.io(img, "write -P 0xa1 0 3M", "write -c -P 0xa2 4M 2M", "write -z 5M 256k", "write -P 0xa3 31M 1M");
        Path raw0 = Qemu.toRaw(img, null, dir);
        engineCreate(img, "first");
        assertClean(img);

        Qemu.io(img, "write -P 0xb1 1M 2M", "write -c -P 0xb2 6M 2M", "write -z 0 64k", "discard 31M 512k",
                "write -P 0xb3 12M 1M");
        Path raw1 = Qemu.toRaw(img, null, dir);
        engineCreate(img, "second");
        assertClean(img);
        assertEquals(List.of("first", "second"), Qemu.snapshotNames(img));

        Qemu.io(img, "write -P 0xc1 0 8M");
        assertClean(img);
        assertSameBytes(raw0, Qemu.toRaw(img, "first", dir));
        assertSameBytes(raw1, Qemu.toRaw(img, "second", dir));

        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.applySnapshot(SnapshotRef.byName("first"));
        }
        assertClean(img);
        assertSameBytes(raw0, Qemu.toRaw(img, null, dir));
        Qemu.io(img, "write -P 0xd1 2M 1M"); // QEMU must copy-on-write, not touch the snapshot
        assertClean(img);
        assertSameBytes(raw0, Qemu.toRaw(img, "first", dir));

        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.deleteSnapshot(SnapshotRef.byName("first"));
        }
        assertClean(img);
        assertEquals(List.of("second"), Qemu.snapshotNames(img));
        assertSameBytes(raw1, Qemu.toRaw(img, "second", dir));

        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.deleteSnapshot(SnapshotRef.byId("2"));
        }
        assertClean(img);
        assertEquals(List.of(), Qemu.snapshotNames(img));
        Qemu.io(img, "write -P 0xe1 0 4M");
        assertClean(img);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void snapshotsMadeByQemuAreReadAndDeleted(Layout l) throws Exception {
        Path img = makeImage(l);
        Qemu.io(img, "write -P 0x21 0 2M", "write -c -P 0x22 4M 2M");
        Qemu.img("snapshot", "-c", "q1", img.toString()).ok();
        Path rawQ1 = Qemu.toRaw(img, null, dir);
        assertSameBytes(rawQ1, Qemu.toRaw(img, "q1", dir));
        Qemu.io(img, "write -P 0x23 1M 2M", "write -z 3M 64k");
        Qemu.img("snapshot", "-c", "q2", img.toString()).ok();
        Path rawQ2 = Qemu.toRaw(img, null, dir);
        Qemu.io(img, "write -P 0x24 0 1M");

        JsonNode info = JSON.readTree(Qemu.img("info", "-U", "--output=json", img.toString()).ok().out());
        try (Qcow2Image q = Qcow2Image.open(img)) {
            List<Snapshot> ours = q.snapshots();
            JsonNode theirs = info.get("snapshots");
            assertEquals(theirs.size(), ours.size());
            for (int i = 0; i < ours.size(); i++) {
                Snapshot s = ours.get(i);
                JsonNode t = theirs.get(i);
                assertEquals(t.get("id").asText(), s.id());
                assertEquals(t.get("name").asText(), s.name());
                assertEquals(t.get("date-sec").asLong(), s.dateSec());
                assertEquals(t.get("date-nsec").asLong(), s.dateNsec());
                assertEquals(t.get("vm-clock-sec").asLong() * 1_000_000_000L + t.get("vm-clock-nsec").asLong(),
                        s.vmClockNsec());
                assertEquals(t.get("vm-state-size").asLong(), s.vmStateSize());
                assertEquals(info.get("virtual-size").asLong(), s.diskSize());
            }
        }
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.deleteSnapshot(SnapshotRef.byName("q1"));
        }
        assertClean(img);
        assertSameBytes(rawQ2, Qemu.toRaw(img, "q2", dir));
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.applySnapshot(SnapshotRef.byIdOrName("q2"));
        }
        assertClean(img);
        assertSameBytes(rawQ2, Qemu.toRaw(img, null, dir));
        // and QEMU reads back what the engine writes: its own snapshot of the reverted image
        Qemu.img("snapshot", "-c", "q3", img.toString()).ok();
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.deleteSnapshot(SnapshotRef.byName("q2"));
        }
        assertClean(img);
        assertSameBytes(rawQ2, Qemu.toRaw(img, "q3", dir));
        assertEquals(List.of("q3"), Qemu.snapshotNames(img));
    }

    @Test
    void newSnapshotFieldsAreWhatQemuShows() throws Exception {
        Path img = dir.resolve("f.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "16M").ok();
        Instant t = Instant.ofEpochSecond(1_700_000_000L, 123_456_000L);
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.createSnapshot(NewSnapshot.now("auto"));
            q.createSnapshot(new NewSnapshot("timed", t, 5_500_000_000L));
        }
        assertClean(img);
        JsonNode s = JSON.readTree(Qemu.img("info", "-U", "--output=json", img.toString()).ok().out())
                .get("snapshots").get(1);
        assertEquals("2", s.get("id").asText());
        assertEquals("timed", s.get("name").asText());
        assertEquals(1_700_000_000L, s.get("date-sec").asLong());
        assertEquals(123_456_000L, s.get("date-nsec").asLong());
        assertEquals(5, s.get("vm-clock-sec").asLong());
        assertEquals(500_000_000L, s.get("vm-clock-nsec").asLong());
        assertEquals(0, s.get("vm-state-size").asLong());
    }

    @Test
    void oneBitRefcountsRefuseASharedSnapshotAndChangeNothing() throws Exception {
        Path img = dir.resolve("r1.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "refcount_bits=1", img.toString(), "16M").ok();
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.createSnapshot(NewSnapshot.now("empty")); // nothing to share yet: fits in 1-bit refcounts
        }
        assertClean(img);
        Qemu.io(img, "write -P 7 0 64k");
        String before = Hashes.sha256(img);
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            ImageException e = assertThrows(ImageException.class, () -> q.createSnapshot(NewSnapshot.now("data")));
            assertEquals(true, e.getMessage().contains("refcount"), e.getMessage());
        }
        assertEquals(before, Hashes.sha256(img));
        assertClean(img);
    }

    @Test
    void applyingASnapshotRestoresItsDiskSizeAsQemuDoes() throws Exception {
        Path ours = dir.resolve("grow.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", ours.toString(), "16M").ok();
        Qemu.io(ours, "write -P 5 0 1M");
        Path raw = Qemu.toRaw(ours, null, dir);
        engineCreate(ours, "small");
        Qemu.img("resize", "-q", ours.toString(), "32M").ok();
        Qemu.io(ours, "write -P 6 20M 1M");
        Path theirs = Files.copy(ours, dir.resolve("grow-qemu.qcow2"));
        Qemu.img("snapshot", "-a", "small", theirs.toString()).ok();
        try (Qcow2Image q = Qcow2Image.openForWrite(ours)) {
            q.applySnapshot(SnapshotRef.byName("small"));
            assertEquals(16L << 20, q.info().virtualSize());
        }
        assertClean(ours);
        JsonNode info = JSON.readTree(Qemu.img("info", "--output=json", ours.toString()).ok().out());
        JsonNode qemuInfo = JSON.readTree(Qemu.img("info", "--output=json", theirs.toString()).ok().out());
        assertEquals(qemuInfo.get("virtual-size").asLong(), info.get("virtual-size").asLong());
        assertSameBytes(raw, Qemu.toRaw(ours, null, dir));
        assertSameBytes(Qemu.toRaw(theirs, null, dir), Qemu.toRaw(ours, null, dir));
    }

    @Test
    void overlayIsAnExternalSnapshotQemuCanUse() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "16M").ok();
        Qemu.io(base, "write -P 0x31 0 1M");
        Path rawBase = Qemu.toRaw(base, null, dir);
        Path overlay = dir.resolve("overlay.qcow2");
        Qcow2Image.createOverlay(Path.of("base.qcow2"), overlay);
        assertClean(overlay);
        JsonNode info = JSON.readTree(Qemu.img("info", "--output=json", overlay.toString()).ok().out());
        assertEquals("base.qcow2", info.get("backing-filename").asText());
        assertEquals("qcow2", info.get("backing-filename-format").asText());
        assertEquals(16L << 20, info.get("virtual-size").asLong());
        assertSameBytes(rawBase, Qemu.toRaw(overlay, null, dir));
        Qemu.io(overlay, "write -P 0x32 0 64k");
        assertSameBytes(rawBase, Qemu.toRaw(base, null, dir));
        assertClean(overlay);
    }

    /** Clean by QEMU's verdict, and by ours: the engine's check must agree with qemu-img check. */
    private static void assertClean(Path img) throws Exception {
        Qemu.assertClean(img);
        try (Qcow2Image q = Qcow2Image.open(img)) {
            CheckResult r = q.check();
            assertEquals(0, r.exitCode(), "our check disagrees with qemu-img: " + r.messages());
        }
    }

    private static void engineCreate(Path img, String name) throws Exception {
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.createSnapshot(NewSnapshot.now(name));
        }
    }

    private static void assertSameBytes(Path expected, Path actual) throws Exception {
        long at = Files.mismatch(expected, actual);
        assertEquals(-1L, at, "guest-visible bytes differ at offset " + at);
    }
}
