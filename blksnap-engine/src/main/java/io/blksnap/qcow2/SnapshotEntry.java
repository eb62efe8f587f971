package io.blksnap.qcow2;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One snapshot table entry: the public fields, its L1 table, and extra data we keep verbatim.
 * The table as a whole is {@link SnapshotTable}.
 *
 * <p>As in QEMU, an entry whose layout cannot be parsed (too much extra data, running past the
 * table) stops the image from opening, while an entry that parses but is wrong (its L1 table
 * unaligned or too large, a v3 entry with less than 16 bytes of extra data) only makes the
 * image corrupt: see {@link #problem}.
 */
record SnapshotEntry(Snapshot snapshot, long l1Offset, int l1Size, byte[] extra) {

    static final int FIXED = 40;
    /** vm_state_size_large, disk_size, icount: what QEMU writes. */
    static final int KNOWN_EXTRA = 24;
    static final int MAX_EXTRA = 1024;

    /**
     * Parses the entry at {@code off} of {@code table} (entry {@code index}) into {@code out};
     * {@code currentSize} fills disk_size where extra data lacks it. Returns where the next entry starts.
     */
    static int decodeInto(byte[] table, int off, int index, long currentSize, List<SnapshotEntry> out)
            throws MalformedImageException {
        if (off + FIXED > table.length) {
            throw new MalformedImageException("snapshot table is truncated at entry " + index);
        }
        long l1Offset = Bytes.u64(table, off);
        long l1Size = Bytes.u32(table, off + 8);
        int idSize = Bytes.u16(table, off + 12);
        int nameSize = Bytes.u16(table, off + 14);
        long dateSec = Bytes.u32(table, off + 16);
        long dateNsec = Bytes.u32(table, off + 20);
        long vmClock = Bytes.u64(table, off + 24);
        long vmState = Bytes.u32(table, off + 32);
        long extraSize = Bytes.u32(table, off + 36);
        if (extraSize > MAX_EXTRA) {
            throw new MalformedImageException("snapshot table entry " + index + " has too much extra data ("
                    + "extra_data_size " + extraSize + ", at most " + MAX_EXTRA + ")");
        }
        off += FIXED;
        long end = (long) off + extraSize + idSize + nameSize;
        if (end > table.length) {
            throw new MalformedImageException("snapshot table is truncated at entry " + index);
        }
        byte[] extra = new byte[(int) extraSize];
        System.arraycopy(table, off, extra, 0, extra.length);
        off += extra.length;
        String id = new String(table, off, idSize, StandardCharsets.UTF_8);
        off += idSize;
        String name = new String(table, off, nameSize, StandardCharsets.UTF_8);
        off += nameSize;
        off = (off + 7) & ~7;
        if (extra.length >= 8) {
            vmState = Bytes.u64(extra, 0);
        }
        long diskSize = extra.length >= 16 ? Bytes.u64(extra, 8) : currentSize;
        long icount = extra.length >= 24 ? Bytes.u64(extra, 16) : -1;
        Snapshot s = new Snapshot(id, name, vmState, dateSec, dateNsec, vmClock, icount, diskSize);
        out.add(new SnapshotEntry(s, l1Offset, (int) l1Size, extra));
        return off;
    }

    /**
     * What is wrong with this entry, or null: the checks QEMU makes before it uses a snapshot
     * (qcow2_validate_table of its L1) and in {@code qemu-img check} (v3 extra data), plus: the
     * L1 table lies inside the file.
     */
    String problem(int index, int version, Geometry g, long fileSize) {
        String what = "snapshot table entry " + index + " (id " + snapshot.id() + ")";
        if (version >= 3 && extra.length < 16) {
            return what + " has only " + extra.length + " bytes of extra data (extra_data_size; qcow2 v3 requires"
                    + " at least 16)";
        }
        long l1Entries = Integer.toUnsignedLong(l1Size);
        if (l1Entries > Header.MAX_L1_BYTES / 8) {
            return what + ": its L1 table is too large (l1_size " + l1Entries + ")";
        }
        if (l1Offset < 0 || !g.aligned(l1Offset) || (l1Entries > 0 && l1Offset == 0)) {
            return what + ": its L1 table offset 0x" + Long.toUnsignedString(l1Offset, 16)
                    + " is invalid (not cluster aligned)";
        }
        if (l1Entries > 0 && l1Offset > fileSize - l1Entries * 8) {
            return what + ": its L1 table at 0x" + Long.toHexString(l1Offset) + " (" + l1Entries
                    + " entries) extends beyond the end of the file";
        }
        return null;
    }

    /** A new entry written as QEMU writes it: 24 bytes of extra data. */
    static SnapshotEntry create(Snapshot s, long l1Offset, int l1Size) {
        byte[] extra = new byte[KNOWN_EXTRA];
        Bytes.put64(extra, 0, s.vmStateSize());
        Bytes.put64(extra, 8, s.diskSize());
        Bytes.put64(extra, 16, s.icount());
        return new SnapshotEntry(s, l1Offset, l1Size, extra);
    }

    int encodedSize() {
        int n = FIXED + extra.length + utf8(snapshot.id()).length + utf8(snapshot.name()).length;
        return (n + 7) & ~7;
    }

    /** Writes this entry at {@code off} of {@code b}; returns where the next entry starts. */
    int encodeInto(byte[] b, int off) {
        byte[] id = utf8(snapshot.id());
        byte[] name = utf8(snapshot.name());
        Snapshot s = snapshot;
        long vmState32 = s.vmStateSize() > 0xffffffffL ? 0 : s.vmStateSize();
        Bytes.put64(b, off, l1Offset);
        Bytes.put32(b, off + 8, l1Size);
        Bytes.put16(b, off + 12, id.length);
        Bytes.put16(b, off + 14, name.length);
        Bytes.put32(b, off + 16, s.dateSec());
        Bytes.put32(b, off + 20, s.dateNsec());
        Bytes.put64(b, off + 24, s.vmClockNsec());
        Bytes.put32(b, off + 32, vmState32);
        Bytes.put32(b, off + 36, extra.length);
        int p = off + FIXED;
        System.arraycopy(extra, 0, b, p, extra.length);
        p += extra.length;
        System.arraycopy(id, 0, b, p, id.length);
        p += id.length;
        System.arraycopy(name, 0, b, p, name.length);
        p += name.length;
        return (p + 7) & ~7;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
