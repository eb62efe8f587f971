package io.blksnap.qcow2;

import io.blksnap.storage.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What one read of an image's metadata yields: header, refcounts, snapshot table, and the means
 * to read the L1/L2 tables. Read-only: a change is built in an {@link ImageChange}, and after it
 * the metadata is read again.
 */
final class ImageMetadata {

    final Storage storage;
    final Header header;
    final Geometry g;
    final StoredRefcounts refcounts;
    final SnapshotTable snapshots;
    final Tables tables;
    /**
     * What is wrong with an image that could still be opened (invalid refcount table entries,
     * snapshot entries QEMU would refuse to use): {@code check} reports these as corruptions,
     * and no change is made to such an image.
     */
    final List<String> problems;

    private ImageMetadata(Storage storage) throws IOException {
        this.storage = storage;
        this.header = Header.read(storage);
        this.g = header.geometry;
        this.refcounts = new StoredRefcounts(storage, header);
        long fileSize = refcounts.fileSize();
        this.tables = new Tables(storage, g, fileSize);
        this.snapshots = SnapshotTable.read(storage, header, fileSize);
        List<String> found = new ArrayList<>(refcounts.problems());
        for (int i = 0; i < snapshots.entries().size(); i++) {
            String p = snapshots.entries().get(i).problem(i, header.version, g, fileSize);
            if (p != null) {
                found.add(p);
            }
        }
        problems = List.copyOf(found);
    }

    static ImageMetadata read(Storage storage) throws IOException {
        return new ImageMetadata(storage);
    }

    long[] activeL1() throws IOException {
        return tables.readL1(header.l1TableOffset, header.l1Size, "active");
    }

    long[] snapshotL1(SnapshotEntry e) throws IOException {
        return tables.readL1(e.l1Offset(), e.l1Size(), "snapshot \"" + e.snapshot().name() + "\"");
    }

    /**
     * Refuses a change (before anything is written) while the image has known problems, or while
     * a metadata cluster has a stored refcount of 0: a change allocates clusters by their
     * refcounts, and would write its new tables over that live metadata (QEMU's overlap check
     * guards against the same).
     */
    void requireChangeable() throws IOException {
        if (!problems.isEmpty()) {
            throw corrupt(problems.get(0)
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : ""));
        }
        requireReferenced(0, g.clusterSize, "the header cluster");
        requireReferenced(header.refcountTableOffset, (long) header.refcountTableClusters * g.clusterSize,
                "the refcount table");
        for (long b = 0; b < refcounts.tableEntries(); b++) {
            long off = refcounts.blockOffset(b);
            if (off != 0) {
                requireReferenced(off, g.clusterSize, "refcount block " + b);
            }
        }
        requireReferenced(header.l1TableOffset, (long) header.l1Size * 8, "the active L1 table");
        long[] l1 = activeL1();
        for (int i = 0; i < l1.length; i++) {
            long l2 = l1[i] & Geometry.L1E_OFFSET_MASK;
            if (l2 != 0) {
                requireReferenced(l2, g.clusterSize, "the active L2 table of L1 entry " + i);
                requireDataReferenced(tables.readL2(l2), i);
            }
        }
        if (snapshots.bytes() > 0) {
            requireReferenced(snapshots.offset(), snapshots.bytes(), "the snapshot table");
        }
        for (SnapshotEntry e : snapshots.entries()) {
            requireReferenced(e.l1Offset(), (long) e.l1Size() * 8, "the L1 table of snapshot " + e.snapshot().id());
        }
    }

    /**
     * Guest data the active image maps must be referenced too: an allocation made while walking
     * one L2 table would otherwise take a data cluster another L2 table still maps.
     */
    private void requireDataReferenced(byte[] l2, int l1Index) throws IOException {
        for (int j = 0; j < g.l2Entries; j++) {
            long e = tables.entry(l2, j);
            long offset;
            long bytes;
            if (Tables.compressed(e)) {
                long first = g.compressedFirstCluster(e);
                offset = g.clusterOffset(first);
                bytes = g.clusterOffset(g.compressedLastCluster(e) - first + 1);
            } else if (Tables.dataOffset(e) != 0 && g.aligned(Tables.dataOffset(e))) {
                offset = Tables.dataOffset(e);
                bytes = g.clusterSize;
            } else {
                continue;
            }
            // This runs for every entry of every active L2 table: the message is only built for a
            // cluster that fails (building it for each entry was a large part of a change's time).
            long c = firstUnreferenced(offset, bytes);
            if (c >= 0) {
                throw unreferenced("the data cluster of L1 entry " + l1Index + ", L2 entry " + j, c);
            }
        }
    }

    private void requireReferenced(long offset, long bytes, String what) throws IOException {
        long c = firstUnreferenced(offset, bytes);
        if (c >= 0) {
            throw unreferenced(what, c);
        }
    }

    /** The first cluster of the range with a stored refcount of 0, or -1 when there is none. */
    private long firstUnreferenced(long offset, long bytes) throws IOException {
        if (bytes <= 0) {
            return -1;
        }
        for (long c = g.clusterIndex(offset); c <= g.clusterIndex(offset + bytes - 1); c++) {
            if (refcounts.refcount(c) == 0) {
                return c;
            }
        }
        return -1;
    }

    private MalformedImageException unreferenced(String what, long cluster) {
        return corrupt(what + " at 0x" + Long.toHexString(g.clusterOffset(cluster)) + " has refcount 0");
    }

    private static MalformedImageException corrupt(String problem) {
        return new MalformedImageException("image is corrupt, refusing to change it: " + problem + "; see check");
    }
}
