package io.blksnap.qcow2;

import io.blksnap.storage.Storage;

import java.io.IOException;

/**
 * L1 and L2 tables: reading and validating them, classifying their entries, and, within an
 * {@link ImageChange}, sharing, releasing and writing them.
 */
final class Tables {

    private final Storage storage;
    private final Geometry g;
    private final long fileSize;

    Tables(Storage storage, Geometry g, long fileSize) {
        this.storage = storage;
        this.g = g;
        this.fileSize = fileSize;
    }

    /** Reads an L1 table and checks every entry points to an aligned cluster inside the file. */
    long[] readL1(long offset, int size, String what) throws IOException {
        if (size < 0 || offset < 0 || !g.aligned(offset)
                || (size > 0 && (offset == 0 || offset > fileSize - (long) size * 8))) {
            throw new MalformedImageException(what + " L1 table at 0x" + Long.toHexString(offset)
                    + " (" + size + " entries) is outside the image or unaligned");
        }
        byte[] raw = new byte[size * 8];
        storage.read(offset, raw);
        long[] l1 = new long[size];
        for (int i = 0; i < size; i++) {
            long e = Bytes.u64(raw, i * 8);
            if ((e & Geometry.L1E_RESERVED_MASK) != 0) {
                throw new MalformedImageException(what + " L1 entry " + i + " has reserved bits set (0x"
                        + Long.toHexString(e) + ")");
            }
            long l2 = e & Geometry.L1E_OFFSET_MASK;
            if (l2 != 0 && (!g.aligned(l2) || l2 > fileSize - g.clusterSize)) {
                throw new MalformedImageException(what + " L1 entry " + i + " points to an invalid L2 table 0x"
                        + Long.toHexString(l2));
            }
            l1[i] = e;
        }
        return l1;
    }

    byte[] readL2(long offset) throws IOException {
        byte[] l2 = new byte[g.clusterSize];
        storage.read(offset, l2);
        return l2;
    }

    long entry(byte[] l2, int j) {
        return Bytes.u64(l2, j * g.l2EntryBytes);
    }

    void setEntry(byte[] l2, int j, long e) {
        Bytes.put64(l2, j * g.l2EntryBytes, e);
    }

    static boolean compressed(long e) {
        return (e & Geometry.OFLAG_COMPRESSED) != 0;
    }

    /** Host offset of a standard (not compressed) entry's cluster, 0 when none is allocated. */
    static long dataOffset(long e) {
        return compressed(e) ? 0 : e & Geometry.L2E_OFFSET_MASK;
    }

    /**
     * Adds {@code delta} to the refcount of every host cluster an L2 table references, and checks
     * each reference is sane first.
     */
    void adjustDataRefcounts(byte[] l2, long l2Offset, ClusterAllocator clusters, long delta) throws IOException {
        for (int j = 0; j < g.l2Entries; j++) {
            long e = entry(l2, j);
            if (compressed(e)) {
                long first = g.compressedFirstCluster(e);
                long last = g.compressedLastCluster(e);
                checkInFile(g.clusterOffset(last), l2Offset, j);
                for (long c = first; c <= last; c++) {
                    clusters.adjust(c, delta);
                }
            } else {
                long off = dataOffset(e);
                if (off != 0) {
                    if (!g.aligned(off)) {
                        throw new MalformedImageException("L2 table 0x" + Long.toHexString(l2Offset) + " entry " + j
                                + " points to an unaligned cluster 0x" + Long.toHexString(off));
                    }
                    checkInFile(off, l2Offset, j);
                    clusters.adjust(g.clusterIndex(off), delta);
                }
            }
        }
    }

    private void checkInFile(long off, long l2Offset, int j) throws MalformedImageException {
        if (off < 0 || off >= fileSize) {
            throw new MalformedImageException("L2 table 0x" + Long.toHexString(l2Offset) + " entry " + j
                    + " points beyond the end of the file (0x" + Long.toHexString(off) + ")");
        }
    }

    boolean anyCopied(byte[] l2) {
        for (int j = 0; j < g.l2Entries; j++) {
            if ((entry(l2, j) & Geometry.OFLAG_COPIED) != 0) {
                return true;
            }
        }
        return false;
    }

    void clearCopied(byte[] l2) {
        for (int j = 0; j < g.l2Entries; j++) {
            long e = entry(l2, j);
            if ((e & Geometry.OFLAG_COPIED) != 0) {
                setEntry(l2, j, e & ~Geometry.OFLAG_COPIED);
            }
        }
    }

    /**
     * Makes the new active L1 {@code into} reach everything {@code from} reaches, one more time:
     * each L2 table is shared (refcount + 1), or copied with OFLAG_COPIED cleared when it holds
     * any (a shared active table must not claim sole ownership, and is never rewritten in place);
     * every data cluster it maps gets one more reference either way.
     */
    void share(ImageChange change, long[] from, long[] into) throws IOException {
        for (int i = 0; i < from.length; i++) {
            long l2Off = from[i] & Geometry.L1E_OFFSET_MASK;
            if (l2Off == 0) {
                continue;
            }
            byte[] l2 = readL2(l2Off);
            adjustDataRefcounts(l2, l2Off, change.clusters, +1);
            if (anyCopied(l2)) {
                long copy = change.copyL2(l2Off, this::clearCopied);
                into[i] = copy | Geometry.OFLAG_COPIED;
            } else {
                change.clusters.adjust(g.clusterIndex(l2Off), +1);
                into[i] = l2Off;
            }
        }
    }

    /** Drops one reference to everything {@code l1} reaches: its L2 tables and the data they map. */
    void release(ClusterAllocator clusters, long[] l1) throws IOException {
        for (long e : l1) {
            long l2Off = e & Geometry.L1E_OFFSET_MASK;
            if (l2Off != 0) {
                adjustDataRefcounts(readL2(l2Off), l2Off, clusters, -1);
                clusters.adjust(g.clusterIndex(l2Off), -1);
            }
        }
    }

    /** Queues {@code l1} as the new active L1 and frees the one of {@code h}; returns the new table's offset. */
    static long replaceActiveL1(ImageChange change, Header h, long[] l1) throws IOException {
        if (h.l1Size > 0) {
            change.clusters.adjustRange(h.l1TableOffset, (long) h.l1Size * 8, -1);
        }
        return writeL1(change, l1);
    }

    /** Queues {@code l1} for new clusters; returns its offset (0 when it is empty). */
    static long writeL1(ImageChange change, long[] l1) throws IOException {
        if (l1.length == 0) {
            return 0;
        }
        return change.writeNew(encodeL1(l1));
    }

    private static byte[] encodeL1(long[] l1) {
        byte[] raw = new byte[l1.length * 8];
        for (int i = 0; i < l1.length; i++) {
            Bytes.put64(raw, i * 8, l1[i]);
        }
        return raw;
    }
}
