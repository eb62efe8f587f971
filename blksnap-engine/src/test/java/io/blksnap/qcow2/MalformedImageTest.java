package io.blksnap.qcow2;

import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and malformed images: each case starts from a healthy image made by QEMU, breaks one
 * field with a direct byte edit, and checks that every operation either works (reads of an image
 * that is corrupt but readable) or fails fast with an {@link ImageException} naming the problem,
 * without hanging, without allocating absurd amounts, and without changing a byte of the file.
 */
class MalformedImageTest {

    // Header field offsets (docs/interop/qcow2.rst).
    static final int MAGIC = 0;
    static final int VERSION = 4;
    static final int BACKING_OFFSET = 8;
    static final int BACKING_SIZE = 16;
    static final int CLUSTER_BITS = 20;
    static final int SIZE = 24;
    static final int CRYPT = 32;
    static final int L1_SIZE = 36;
    static final int L1_OFFSET = 40;
    static final int REFT_OFFSET = 48;
    static final int REFT_CLUSTERS = 56;
    static final int NB_SNAPSHOTS = 60;
    static final int SNAPSHOTS_OFFSET = 64;
    static final int INCOMPAT = 72;
    static final int COMPAT = 80;
    static final int AUTOCLEAR = 88;
    static final int REFCOUNT_ORDER = 96;
    static final int HEADER_LENGTH = 100;

    static final long COPIED = 1L << 63;
    static final long PAST_EOF = 1L << 32;
    /** Cluster aligned for every cluster size, and negative as a signed 64-bit number. */
    static final long NEGATIVE = 0xffffffffffe00000L;

    static final Duration FAST = Duration.ofSeconds(5);
    /** What one operation on these small images may allocate, at most. */
    static final long ALLOCATION_LIMIT = 32L << 20;

    @TempDir
    static Path shared;
    static Path plainV3;
    static Path withSnapshot;

    @TempDir
    Path dir;

    /** The healthy images every case starts from: 16 MiB, a little data, one snapshot. */
    @BeforeAll
    static void baseImages() throws Exception {
        plainV3 = shared.resolve("plain.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", plainV3.toString(), "16M").ok();
        Qemu.io(plainV3, "write -q -P 0x11 0 64k", "write -q -P 0x22 1M 64k");
        Qemu.assertClean(plainV3);

        withSnapshot = shared.resolve("snap.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", withSnapshot.toString(), "16M").ok();
        Qemu.io(withSnapshot, "write -q -P 0x11 0 64k", "write -q -P 0x22 1M 64k");
        Qemu.img("snapshot", "-c", "s1", withSnapshot.toString()).ok();
        // Written after the snapshot, so the active L1 and the snapshot's differ.
        Qemu.io(withSnapshot, "write -q -P 0x33 0 4k");
        Qemu.assertClean(withSnapshot);
    }

    // ---------------------------------------------------------------------------------------
    // Byte editing

    /** One corruption, applied to an image through its header's own offsets. */
    interface Corruption {
        void apply(Img img) throws IOException;
    }

    /** Direct access to an image file's bytes, big-endian as qcow2 is. */
    static final class Img implements AutoCloseable {
        final RandomAccessFile f;

        Img(Path p) throws IOException {
            f = new RandomAccessFile(p.toFile(), "rw");
        }

        long u64(long off) throws IOException {
            f.seek(off);
            return f.readLong();
        }

        long u32(long off) throws IOException {
            f.seek(off);
            return f.readInt() & 0xffffffffL;
        }

        void put64(long off, long v) throws IOException {
            f.seek(off);
            f.writeLong(v);
        }

        void put32(long off, long v) throws IOException {
            f.seek(off);
            f.writeInt((int) v);
        }

        void put16(long off, int v) throws IOException {
            f.seek(off);
            f.writeShort(v);
        }

        void put(long off, byte[] b) throws IOException {
            f.seek(off);
            f.write(b);
        }

        int clusterSize() throws IOException {
            return 1 << u32(CLUSTER_BITS);
        }

        long l1() throws IOException {
            return u64(L1_OFFSET);
        }

        long reftable() throws IOException {
            return u64(REFT_OFFSET);
        }

        long snapshotTable() throws IOException {
            return u64(SNAPSHOTS_OFFSET);
        }

        /** Sets the 16-bit refcount of the cluster at {@code offset} (images made with refcount_bits=16). */
        void setRefcount(long offset, int value) throws IOException {
            assertEquals(4, u32(REFCOUNT_ORDER));
            int cs = clusterSize();
            long cluster = offset / cs;
            long perBlock = cs / 2;
            long block = u64(reftable() + 8 * (cluster / perBlock));
            assertNotEquals(0, block);
            put16(block + 2 * (cluster % perBlock), value);
        }

        /** Offset of the end-of-extensions marker (type 0) after the header. */
        long extensionEnd() throws IOException {
            long off = u32(HEADER_LENGTH);
            while (u32(off) != 0) {
                off += 8 + ((u32(off + 4) + 7) & ~7L);
            }
            return off;
        }

        /**
         * Rewrites snapshot entry 0 in place with {@code extra} as its extra data, keeping its L1,
         * id and name: a well-formed entry, just with other extra data.
         */
        void rewriteFirstSnapshotExtra(byte[] extra) throws IOException {
            long t = snapshotTable();
            int idSize = (int) (u32(t + 12) >>> 16);
            int nameSize = (int) (u32(t + 12) & 0xffff);
            int oldExtra = (int) u32(t + 36);
            byte[] idName = new byte[idSize + nameSize];
            f.seek(t + 40 + oldExtra);
            f.readFully(idName);
            put32(t + 36, extra.length);
            put(t + 40, extra);
            put(t + 40 + extra.length, idName);
        }

        @Override
        public void close() throws IOException {
            f.close();
        }
    }

    Path corrupt(Path base, Corruption c) throws IOException {
        Path img = Files.createTempFile(dir, "case", ".qcow2");
        Files.copy(base, img, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Img i = new Img(img)) {
            c.apply(i);
        }
        return img;
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    // ---------------------------------------------------------------------------------------
    // Running operations: bounded in time and allocation

    /** Runs {@code op} with a deadline, and fails if it allocated more than the limit. */
    static <T> T bounded(String what, ThrowingSupplier<T> op) {
        return assertTimeoutPreemptively(FAST, () -> {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(tid);
            try {
                return op.get();
            } finally {
                long used = mx.getThreadAllocatedBytes(tid) - before;
                assertTrue(used < ALLOCATION_LIMIT, what + " allocated " + used + " bytes");
            }
        }, what + " did not finish in " + FAST);
    }

    /** The operations of the public API, each on a freshly opened image. */
    enum Op {
        OPEN_READ(false), LIST(false), INFO(false), CHECK(false),
        OPEN_WRITE(true), CREATE(true), DELETE(true), APPLY(true), REPAIR_LEAKS(true);

        final boolean writes;

        Op(boolean writes) {
            this.writes = writes;
        }

        Object run(Path img) throws IOException {
            try (Qcow2Image q = writes ? Qcow2Image.openForWrite(img) : Qcow2Image.open(img)) {
                switch (this) {
                    case LIST: return q.snapshots();
                    case INFO: return q.info();
                    case CHECK: return q.check();
                    case CREATE: return q.createSnapshot(NewSnapshot.now("new"));
                    case DELETE: return q.deleteSnapshot(SnapshotRef.byName("s1"));
                    case APPLY: return q.applySnapshot(SnapshotRef.byName("s1"));
                    case REPAIR_LEAKS: return q.repairLeaks();
                    default: return q.path();
                }
            }
        }

        boolean changesImage() {
            return this == CREATE || this == DELETE || this == APPLY || this == REPAIR_LEAKS;
        }
    }

    /** Asserts {@code op} fails with an ImageException naming {@code fragment}, leaving the file as it was. */
    static ImageException assertRefused(Op op, Path img, String fragment) throws Exception {
        String before = sha256(img);
        ImageException e = bounded(op.name(), () -> assertThrows(ImageException.class, () -> op.run(img),
                op + " should be refused"));
        assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains(fragment.toLowerCase(Locale.ROOT)),
                op + ": message \"" + e.getMessage() + "\" does not mention \"" + fragment + "\"");
        assertFalse(e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
        assertEquals(before, sha256(img), op + " changed the file although it was refused");
        return e;
    }

    /** Asserts a read-only {@code op} works and leaves the file as it was. */
    static Object assertWorks(Op op, Path img) throws Exception {
        String before = sha256(img);
        Object result = bounded(op.name(), () -> op.run(img));
        assertEquals(before, sha256(img), op + " changed the file");
        return result;
    }

    // ---------------------------------------------------------------------------------------
    // Cases refused at open: every operation fails there

    /**
     * @param qemuAgrees {@code qemu-img info} and {@code qemu-img check} fail on the same file too
     *                   (false where QEMU reads on: we are stricter, e.g. tables past the end of
     *                   the file, which QEMU reads as zeros)
     */
    record Case(String name, boolean snapshot, String fragment, boolean qemuAgrees, Corruption corruption) {
        @Override
        public String toString() {
            return name;
        }

        Path base() {
            return snapshot ? withSnapshot : plainV3;
        }
    }

    static Case refused(String name, String fragment, boolean qemuAgrees, Corruption c) {
        return new Case(name, true, fragment, qemuAgrees, c);
    }

    static List<Case> refusedAtOpen() {
        List<Case> c = new ArrayList<>();
        c.add(refused("bad magic", "magic", true, i -> i.put32(MAGIC, 0x514649faL)));
        c.add(refused("file shorter than a header", "too short", true, i -> i.f.setLength(48)));
        c.add(refused("version 1", "version 1", false, i -> i.put32(VERSION, 1)));
        c.add(refused("version 4", "version 4", true, i -> i.put32(VERSION, 4)));
        c.add(refused("cluster_bits 8", "cluster_bits 8", true, i -> i.put32(CLUSTER_BITS, 8)));
        c.add(refused("cluster_bits 22", "cluster_bits 22", true, i -> i.put32(CLUSTER_BITS, 22)));
        c.add(refused("cluster_bits 0xffffffff", "cluster_bits", true, i -> i.put32(CLUSTER_BITS, 0xffffffffL)));
        c.add(refused("header_length 96 (< 104)", "header_length", true, i -> i.put32(HEADER_LENGTH, 96)));
        c.add(refused("header_length 108 (not a multiple of 8)", "header_length", false,
                i -> i.put32(HEADER_LENGTH, 108)));
        c.add(refused("header_length beyond the cluster", "header_length", true,
                i -> i.put32(HEADER_LENGTH, i.clusterSize() + 8)));
        c.add(refused("header_length 0xffffffff", "header_length", true, i -> i.put32(HEADER_LENGTH, 0xffffffffL)));
        c.add(refused("backing_file_offset beyond cluster 0", "backing file", true, i -> {
            i.put64(BACKING_OFFSET, 2L * i.clusterSize());
            i.put32(BACKING_SIZE, 4);
        }));
        c.add(refused("backing_file_offset negative", "backing file", true, i -> {
            i.put64(BACKING_OFFSET, NEGATIVE);
            i.put32(BACKING_SIZE, 4);
        }));
        c.add(refused("backing_file_size 1024", "backing file", true, i -> {
            i.put64(BACKING_OFFSET, i.extensionEnd() + 8);
            i.put32(BACKING_SIZE, 1024);
        }));
        c.add(refused("backing_file_size 0xffffffff", "backing file", true, i -> {
            i.put64(BACKING_OFFSET, i.extensionEnd() + 8);
            i.put32(BACKING_SIZE, 0xffffffffL);
        }));
        c.add(refused("header extension runs past the cluster", "header extension", true,
                i -> i.put32(i.u32(HEADER_LENGTH) + 4, i.clusterSize())));
        c.add(refused("header extension length 0xffffffff", "header extension", true,
                i -> i.put32(i.u32(HEADER_LENGTH) + 4, 0xffffffffL)));
        c.add(refused("header extension runs past the backing file name", "header extension", true, i -> {
            long end = i.extensionEnd();
            i.put64(BACKING_OFFSET, end - 16); // inside the last extension's data
            i.put32(BACKING_SIZE, 4);
        }));
        c.add(refused("refcount table offset unaligned", "refcount table", true,
                i -> i.put64(REFT_OFFSET, i.reftable() + 512)));
        c.add(refused("refcount table offset past EOF", "refcount table", false, i -> i.put64(REFT_OFFSET, PAST_EOF)));
        c.add(refused("refcount table offset negative", "refcount table", true, i -> i.put64(REFT_OFFSET, NEGATIVE)));
        c.add(refused("refcount table offset near 2^63", "refcount table", true,
                i -> i.put64(REFT_OFFSET, Long.MAX_VALUE - i.clusterSize() + 1)));
        c.add(refused("refcount_table_clusters 0xffffffff", "refcount table", true,
                i -> i.put32(REFT_CLUSTERS, 0xffffffffL)));
        c.add(refused("refcount_table_clusters past EOF", "refcount table", false,
                i -> i.put32(REFT_CLUSTERS, 100)));
        // qemu-img info refuses this too, but check mode opens it and reports every cluster.
        c.add(refused("refcount_table_clusters 0", "refcount table", false, i -> i.put32(REFT_CLUSTERS, 0)));
        // QEMU's qemu-img info reads the header as a refcount table or L1 table here; we do not.
        c.add(refused("refcount table offset 0 (the header)", "refcount table", false, i -> i.put64(REFT_OFFSET, 0)));
        c.add(refused("refcount_order 7", "refcount_order", true, i -> i.put32(REFCOUNT_ORDER, 7)));
        c.add(refused("crypt_method 3", "crypt_method", true, i -> i.put32(CRYPT, 3)));
        c.add(refused("L1 table offset unaligned", "L1 table", true, i -> i.put64(L1_OFFSET, i.l1() + 512)));
        c.add(refused("L1 table offset past EOF", "L1 table", false, i -> i.put64(L1_OFFSET, PAST_EOF)));
        c.add(refused("L1 table offset negative", "L1 table", true, i -> i.put64(L1_OFFSET, NEGATIVE)));
        c.add(refused("L1 table offset 0 (the header)", "L1 table", false, i -> i.put64(L1_OFFSET, 0)));
        c.add(refused("l1_size 0 for a 16 MiB disk", "L1 table is too small", true, i -> i.put32(L1_SIZE, 0)));
        c.add(refused("virtual size 1 TiB with l1_size 1", "L1 table is too small", true,
                i -> i.put64(SIZE, 1L << 40)));
        c.add(refused("virtual size 2^64-1", "virtual size", true, i -> i.put64(SIZE, -1L)));
        c.add(refused("l1_size 0x7fffffff", "L1 table is too large", true, i -> i.put32(L1_SIZE, 0x7fffffffL)));
        c.add(refused("l1_size 0xffffffff", "L1 table is too large", true, i -> i.put32(L1_SIZE, 0xffffffffL)));
        c.add(refused("l1_size past EOF", "L1 table", false, i -> i.put32(L1_SIZE, 0x100000)));
        c.add(refused("nb_snapshots 65537", "snapshot table", true, i -> i.put32(NB_SNAPSHOTS, 65537)));
        c.add(refused("nb_snapshots 0xffffffff", "snapshot table", true, i -> i.put32(NB_SNAPSHOTS, 0xffffffffL)));
        c.add(refused("snapshots_offset unaligned", "snapshot table", true,
                i -> i.put64(SNAPSHOTS_OFFSET, i.snapshotTable() + 512)));
        c.add(refused("snapshots_offset past EOF", "snapshot table", false, i -> i.put64(SNAPSHOTS_OFFSET, PAST_EOF)));
        c.add(refused("snapshots_offset negative", "snapshot table", true, i -> i.put64(SNAPSHOTS_OFFSET, NEGATIVE)));
        c.add(refused("snapshots_offset 0 (the header)", "snapshot table", false, i -> i.put64(SNAPSHOTS_OFFSET, 0)));
        c.add(new Case("snapshots_offset unaligned without snapshots", false, "snapshot table", true,
                i -> i.put64(SNAPSHOTS_OFFSET, 512)));
        c.add(refused("snapshot table truncated (nb_snapshots 65536)", "snapshot table", false,
                i -> i.put32(NB_SNAPSHOTS, 65536)));
        c.add(refused("snapshot name runs past the end of the file", "snapshot table", false, i -> {
            // Make the table the last thing in the file, then let its name run past the end.
            i.f.setLength(i.snapshotTable() + 64);
            i.put16(i.snapshotTable() + 14, 0xffff);
        }));
        c.add(refused("extra_data_size 1025", "extra data", true, i -> i.put32(i.snapshotTable() + 36, 1025)));
        c.add(refused("extra_data_size 0xffffffff", "extra data", true,
                i -> i.put32(i.snapshotTable() + 36, 0xffffffffL)));
        c.add(refused("unknown incompatible feature bit 5", "bit 5", true, i -> i.put64(INCOMPAT, 1L << 5)));
        c.add(refused("unknown incompatible feature bit 63", "bit 63", true, i -> i.put64(INCOMPAT, 1L << 63)));
        c.add(refused("compression type bit without zstd", "compression_type", true, i -> i.put64(INCOMPAT, 8)));
        c.add(refused("extended L2 with 4 KiB clusters", "extended L2", true, i -> {
            i.put64(INCOMPAT, 16);
            i.put32(CLUSTER_BITS, 12);
        }));
        return c;
    }

    static Stream<Case> refusedAtOpenCases() {
        return refusedAtOpen().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedAtOpenCases")
    void refusedAtOpen(Case c) throws Exception {
        Path img = corrupt(c.base(), c.corruption());
        for (Op op : Op.values()) {
            assertRefused(op, img, c.fragment());
        }
    }

    @Test
    void unknownIncompatibleBitsAreAllNamed() throws Exception {
        Path img = corrupt(withSnapshot, i -> i.put64(INCOMPAT, (1L << 5) | (1L << 63) | 2));
        ImageException e = assertRefused(Op.OPEN_READ, img, "incompatible feature bits");
        assertTrue(e.getMessage().contains("bit 5") && e.getMessage().contains("bit 63"), e.getMessage());
        assertTrue(e instanceof UnsupportedImageException, e.getClass().getName());
    }

    @Test
    void unknownIncompatibleBitUsesTheImagesFeatureName() throws Exception {
        // The feature name table QEMU writes has room for a name we add for bit 5.
        Path img = corrupt(withSnapshot, i -> {
            long table = i.u32(HEADER_LENGTH);
            assertEquals(0x6803f857L, i.u32(table), "qemu-img writes the feature name table first");
            long len = i.u32(table + 4);
            long entry = table + 8 + len - 48; // overwrite the last entry
            byte[] e = new byte[48];
            e[0] = 0;
            e[1] = 5;
            byte[] name = "teleportation".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(name, 0, e, 2, name.length);
            i.put(entry, e);
            i.put64(INCOMPAT, 1L << 5);
        });
        ImageException e = assertRefused(Op.OPEN_READ, img, "bit 5");
        assertTrue(e.getMessage().contains("teleportation"), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------
    // Cases that open: reads work, check reports the corruption, every change is refused

    static List<Case> readableButCorrupt() {
        List<Case> c = new ArrayList<>();
        c.add(refused("refcount table entry unaligned", "refcount table entry 0", true,
                i -> i.put64(i.reftable(), i.u64(i.reftable()) + 512)));
        c.add(refused("refcount table entry past EOF", "refcount table entry 0", true,
                i -> i.put64(i.reftable(), PAST_EOF)));
        c.add(refused("refcount table entry negative", "refcount table entry 0", true,
                i -> i.put64(i.reftable(), NEGATIVE)));
        c.add(refused("refcount table entry reserved bits", "refcount table entry 0", true,
                i -> i.put64(i.reftable(), i.u64(i.reftable()) | 1)));
        c.add(refused("L1 entry with reserved bits", "L1 entry 0", true,
                i -> i.put64(i.l1(), i.u64(i.l1()) | 0x100)));
        c.add(refused("L1 entry with reserved high bits", "L1 entry 0", true,
                i -> i.put64(i.l1(), i.u64(i.l1()) | (1L << 60))));
        c.add(refused("L1 entry past EOF", "L1 entry 0", true, i -> i.put64(i.l1(), PAST_EOF | COPIED)));
        c.add(refused("L1 entry unaligned", "L1 entry 0", true,
                i -> i.put64(i.l1(), (i.u64(i.l1()) + 512) | COPIED)));
        c.add(refused("v3 snapshot with 8 bytes of extra data", "extra data", true,
                i -> i.rewriteFirstSnapshotExtra(new byte[8])));
        c.add(refused("v3 snapshot with no extra data", "extra data", true,
                i -> i.rewriteFirstSnapshotExtra(new byte[0])));
        c.add(refused("snapshot L1 offset unaligned", "L1 table offset", true,
                i -> i.put64(i.snapshotTable(), i.u64(i.snapshotTable()) + 512)));
        c.add(refused("snapshot L1 offset negative", "L1 table offset", true,
                i -> i.put64(i.snapshotTable(), NEGATIVE)));
        c.add(refused("snapshot L1 offset past EOF", "L1 table", false,
                i -> i.put64(i.snapshotTable(), PAST_EOF)));
        c.add(refused("snapshot l1_size 0x7fffffff", "L1 table is too large", true,
                i -> i.put32(i.snapshotTable() + 8, 0x7fffffffL)));
        c.add(refused("snapshot l1_size 0xffffffff", "L1 table is too large", true,
                i -> i.put32(i.snapshotTable() + 8, 0xffffffffL)));
        // Refcounts that claim live metadata is free: a change would allocate over it.
        c.add(refused("refcount of the header cluster 0", "refcount 0", true, i -> i.setRefcount(0, 0)));
        c.add(refused("refcount of the refcount table 0", "refcount 0", true,
                i -> i.setRefcount(i.reftable(), 0)));
        c.add(refused("refcount of a refcount block 0", "refcount 0", true,
                i -> i.setRefcount(i.u64(i.reftable()), 0)));
        c.add(refused("refcount of the active L1 table 0", "refcount 0", true, i -> i.setRefcount(i.l1(), 0)));
        c.add(refused("refcount of an active L2 table 0", "refcount 0", true,
                i -> i.setRefcount(i.u64(i.l1()) & 0x00fffffffffffe00L, 0)));
        c.add(refused("refcount of an active data cluster 0", "refcount 0", true, i -> {
            long l2 = i.u64(i.l1()) & 0x00fffffffffffe00L;
            long data = i.u64(l2 + 8 * (1 << 20) / i.clusterSize()) & 0x00fffffffffffe00L; // written at 1 MiB
            assertNotEquals(0, data);
            i.setRefcount(data, 0);
        }));
        c.add(refused("refcount of the snapshot table 0", "refcount 0", true,
                i -> i.setRefcount(i.snapshotTable(), 0)));
        c.add(refused("refcount of the snapshot's L1 table 0", "refcount 0", true,
                i -> i.setRefcount(i.u64(i.snapshotTable()), 0)));
        return c;
    }

    static Stream<Case> readableButCorruptCases() {
        return readableButCorrupt().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readableButCorruptCases")
    void readableButCorrupt(Case c) throws Exception {
        Path img = corrupt(c.base(), c.corruption());
        assertWorks(Op.OPEN_READ, img);
        @SuppressWarnings("unchecked")
        List<Snapshot> snaps = (List<Snapshot>) assertWorks(Op.LIST, img);
        assertEquals(1, snaps.size());
        assertWorks(Op.INFO, img);
        CheckResult check = (CheckResult) assertWorks(Op.CHECK, img);
        assertEquals(2, check.exitCode(), "check must report corruption: " + check.messages());
        assertWorks(Op.OPEN_WRITE, img);
        for (Op op : List.of(Op.CREATE, Op.DELETE, Op.APPLY)) {
            assertRefused(op, img, c.fragment());
        }
        if (!c.name().startsWith("L1 entry") && !c.name().startsWith("refcount of")) {
            // Corrupt metadata the engine cannot trust for writing: no leak repair either. (Bad
            // L1 entries or refcounts are different: as with 'qemu-img check -r leaks', leaks may
            // still be fixed.)
            assertRefused(Op.REPAIR_LEAKS, img, "corrupt");
        }
    }

    // ---------------------------------------------------------------------------------------
    // Feature bits

    @Test
    void corruptBitAllowsReadsAndRefusesWrites() throws Exception {
        Path img = corrupt(withSnapshot, i -> i.put64(INCOMPAT, i.u64(INCOMPAT) | 2));
        assertWorks(Op.OPEN_READ, img);
        assertEquals(1, ((List<?>) assertWorks(Op.LIST, img)).size());
        assertTrue(((ImageInfo) assertWorks(Op.INFO, img)).corrupt());
        assertEquals(0, ((CheckResult) assertWorks(Op.CHECK, img)).exitCode());
        for (Op op : Op.values()) {
            if (op.changesImage()) {
                assertRefused(op, img, "corrupt");
            }
        }
    }

    @Test
    void dirtyImageWithLazyRefcountsRefusesWrites() throws Exception {
        Path img = corrupt(withSnapshot, i -> {
            i.put64(COMPAT, i.u64(COMPAT) | 1);
            i.put64(INCOMPAT, i.u64(INCOMPAT) | 1);
        });
        assertWorks(Op.OPEN_READ, img);
        assertEquals(1, ((List<?>) assertWorks(Op.LIST, img)).size());
        ImageInfo info = (ImageInfo) assertWorks(Op.INFO, img);
        assertTrue(info.dirty() && info.lazyRefcounts());
        assertWorks(Op.CHECK, img);
        for (Op op : Op.values()) {
            if (op.changesImage()) {
                assertRefused(op, img, "dirty");
            }
        }
    }

    @Test
    void externalDataFileRefusesInternalSnapshots() throws Exception {
        Path img = corrupt(withSnapshot, i -> i.put64(INCOMPAT, i.u64(INCOMPAT) | 4));
        assertWorks(Op.OPEN_READ, img);
        assertTrue(((ImageInfo) assertWorks(Op.INFO, img)).externalDataFile());
        for (Op op : List.of(Op.CREATE, Op.DELETE, Op.APPLY)) {
            assertRefused(op, img, "internal snapshots are not supported");
        }
    }

    @Test
    void unknownAutoclearBitIsClearedByTheFirstChange() throws Exception {
        long unknown = 1L << 40;
        Path img = corrupt(withSnapshot, i -> i.put64(AUTOCLEAR, unknown));
        assertWorks(Op.OPEN_READ, img);
        assertWorks(Op.INFO, img);
        assertEquals(0, ((CheckResult) assertWorks(Op.CHECK, img)).exitCode());
        bounded("create", () -> Op.CREATE.run(img));
        try (Img i = new Img(img)) {
            assertEquals(0, i.u64(AUTOCLEAR), "a writer clears the autoclear bits it does not know");
        }
        Qemu.assertClean(img);
        assertEquals(List.of("s1", "new"), Qemu.snapshotNames(img));
        bounded("delete", () -> Op.DELETE.run(img));
        Qemu.assertClean(img);
        assertEquals(List.of("new"), Qemu.snapshotNames(img));
    }

    @Test
    void unknownHeaderExtensionIsPreserved() throws Exception {
        byte[] payload = "an extension from the future, 37 byte".getBytes(StandardCharsets.US_ASCII);
        Path img = corrupt(withSnapshot, i -> {
            long end = i.extensionEnd();
            i.put32(end, 0x12345678L);
            i.put32(end + 4, payload.length);
            byte[] padded = Arrays.copyOf(payload, (payload.length + 7) & ~7);
            i.put(end + 8, padded);
            i.put(end + 8 + padded.length, new byte[8]); // the end marker moves along
        });
        Qemu.assertClean(img);
        int clusterSize;
        long headerLength;
        try (Img i = new Img(img)) {
            clusterSize = i.clusterSize();
            headerLength = i.u32(HEADER_LENGTH);
        }
        byte[] extensionsBefore = Arrays.copyOfRange(Files.readAllBytes(img), (int) headerLength, clusterSize);
        String headStart = HexFormat.of().formatHex(Files.readAllBytes(img), 0, 24);

        bounded("create", () -> Op.CREATE.run(img));
        byte[] afterCreate = Files.readAllBytes(img);
        assertArrayEquals(extensionsBefore, Arrays.copyOfRange(afterCreate, (int) headerLength, clusterSize));
        assertEquals(headStart, HexFormat.of().formatHex(afterCreate, 0, 24));
        Qemu.assertClean(img);

        bounded("delete", () -> Op.DELETE.run(img));
        byte[] afterDelete = Files.readAllBytes(img);
        assertArrayEquals(extensionsBefore, Arrays.copyOfRange(afterDelete, (int) headerLength, clusterSize));
        Qemu.assertClean(img);
        assertEquals(List.of("new"), Qemu.snapshotNames(img));
        // QEMU itself still reads the extension list we kept.
        Qemu.img("info", "-f", "qcow2", img.toString()).ok();
    }

    @Test
    void unknownSnapshotExtraDataIsKept() throws Exception {
        byte[] extra = new byte[40];
        byte[] future = "future!!extra...".getBytes(StandardCharsets.US_ASCII);
        Path img = corrupt(withSnapshot, i -> {
            long t = i.snapshotTable();
            i.f.seek(t + 40);
            i.f.readFully(extra, 0, 24); // vm_state_size_large, disk_size, icount as QEMU wrote them
            System.arraycopy(future, 0, extra, 24, future.length);
            i.rewriteFirstSnapshotExtra(extra);
        });
        Qemu.assertClean(img);
        bounded("create", () -> Op.CREATE.run(img));
        Qemu.assertClean(img);
        try (Img i = new Img(img)) {
            long t = i.snapshotTable();
            assertEquals(extra.length, i.u32(t + 36));
            byte[] kept = new byte[extra.length];
            i.f.seek(t + 40);
            i.f.readFully(kept);
            assertArrayEquals(extra, kept, "extra data we do not know is written back unchanged");
        }
        assertEquals(List.of("s1", "new"), Qemu.snapshotNames(img));
        assertEquals(List.of("s1", "new"), ((List<?>) assertWorks(Op.LIST, img)).stream()
                .map(s -> ((Snapshot) s).name()).toList());
    }

    @Test
    void applyingASnapshotWithAnUnmappableDiskSizeIsRefused() throws Exception {
        // disk_size 2^64-1 in the extra data: applying it used to commit that size to the header,
        // leaving an image neither we nor QEMU can open.
        Path img = corrupt(withSnapshot, i -> i.put64(i.snapshotTable() + 40 + 8, -1L));
        assertWorks(Op.OPEN_READ, img);
        assertWorks(Op.LIST, img);
        assertRefused(Op.APPLY, img, "disk size");
        assertWorks(Op.INFO, img);
        Qemu.img("info", "-f", "qcow2", img.toString()).ok();
        assertNotEquals(0, Qemu.img("snapshot", "-a", "s1", img.toString()).exit(), "QEMU refuses to apply it too");
    }

    @Test
    void refcountOverflowIsRefusedWithoutChange() throws Exception {
        // One-bit refcounts cannot count a cluster shared by a snapshot and the active image.
        Path img = dir.resolve("rc1-overflow.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "refcount_bits=1", img.toString(), "16M").ok();
        Qemu.io(img, "write -q -P 0x11 0 64k");
        assertRefused(Op.CREATE, img, "refcount overflow");
        Qemu.assertClean(img);
    }

    // ---------------------------------------------------------------------------------------
    // Refcount structures that are valid but huge to walk

    @Test
    void checkOfOneBitRefcountsIsFast() throws Exception {
        Path img = dir.resolve("rc1.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "refcount_bits=1", img.toString(), "16M").ok();
        Qemu.io(img, "write -q -P 0x11 0 64k");
        assertEquals(0, ((CheckResult) assertWorks(Op.CHECK, img)).exitCode());
        assertWorks(Op.INFO, img);
    }

    // ---------------------------------------------------------------------------------------
    // QEMU as the oracle: it reaches the same verdict on the same bytes

    static Stream<Case> qemuRefusesToo() {
        return refusedAtOpen().stream().filter(Case::qemuAgrees);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("qemuRefusesToo")
    void qemuRefusesToOpenToo(Case c) throws Exception {
        Path img = corrupt(c.base(), c.corruption());
        String before = sha256(img);
        Qemu.Result info = Qemu.img("info", "-f", "qcow2", img.toString());
        assertNotEquals(0, info.exit(), "qemu-img info accepted it: " + info.out());
        Qemu.Result check = Qemu.check(img);
        assertEquals(1, check.exit(), "qemu-img check could run: " + check.out() + check.err());
        assertEquals(before, sha256(img));
    }

    static Stream<Case> qemuFindsCorruptionToo() {
        return readableButCorrupt().stream().filter(Case::qemuAgrees);
    }

    /**
     * QEMU opens these too, and its check finds them broken: corruptions (exit 2), or for some
     * (a refcount block or snapshot L1 it cannot even load) a check that stops with errors (exit 1).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("qemuFindsCorruptionToo")
    void qemuReadsButFindsCorruptionToo(Case c) throws Exception {
        Path img = corrupt(c.base(), c.corruption());
        Qemu.img("info", "-U", "-f", "qcow2", img.toString()).ok();
        Qemu.Result check = Qemu.check(img);
        assertTrue(check.exit() == 1 || check.exit() == 2, "qemu-img check exited " + check.exit() + ": "
                + check.out() + check.err());
        assertTrue(check.out().contains("error") || check.err().contains("ERROR") || check.err().contains("failed"),
                check.out() + check.err());
    }

    @Test
    void qemuReadsACorruptMarkedImageToo() throws Exception {
        Path img = corrupt(withSnapshot, i -> i.put64(INCOMPAT, i.u64(INCOMPAT) | 2));
        assertTrue(Qemu.img("info", "-U", "-f", "qcow2", img.toString()).ok().out().contains("corrupt: true"));
        assertEquals(List.of("s1"), Qemu.snapshotNames(img));
        // ... and refuses to change it, as we do.
        assertNotEquals(0, Qemu.img("snapshot", "-c", "x", img.toString()).exit());
    }
}
