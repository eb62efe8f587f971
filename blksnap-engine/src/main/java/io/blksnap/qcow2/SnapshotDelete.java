package io.blksnap.qcow2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Internal snapshot deletion: drop the entry, release everything its L1 reaches, then bring
 * OFLAG_COPIED in the active tables up to date, copying (never rewriting) the L2 tables whose
 * flags change.
 */
final class SnapshotDelete {

    private SnapshotDelete() {
    }

    /** The write phase; the returned change's header switch makes it. */
    static ImageChange.Written prepare(ImageMetadata m, List<StoredRefcounts> alsoInUse, SnapshotEntry victim)
            throws IOException {
        Geometry g = m.g;
        ImageChange change = ImageChange.begin(m, alsoInUse);
        ClusterAllocator clusters = change.clusters;
        m.tables.release(clusters, m.snapshotL1(victim));
        if (victim.l1Size() > 0) {
            clusters.adjustRange(victim.l1Offset(), (long) victim.l1Size() * 8, -1);
        }
        List<SnapshotEntry> entries = new ArrayList<>(m.snapshots.entries());
        // the victim is one of these entries: removed by identity, since the record's equals would
        // bootstrap ObjectMethods (about twenty method-handle classes, tens of ms in ./blksnap snapshot -d)
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i) == victim) {
                entries.remove(i);
                break;
            }
        }
        long tableOff = m.snapshots.replace(change, entries);

        long[] l1 = m.activeL1();
        boolean l1Changed = false;
        for (int i = 0; i < l1.length; i++) {
            long l2Off = l1[i] & Geometry.L1E_OFFSET_MASK;
            if (l2Off == 0) {
                continue;
            }
            byte[] l2 = m.tables.readL2(l2Off);
            if (copiedFlagsChange(m, clusters, l2)) {
                long copy = change.copyL2(l2Off, t -> recomputeCopied(m, clusters, t));
                clusters.adjust(g.clusterIndex(l2Off), -1);
                l1[i] = copy | Geometry.OFLAG_COPIED;
                l1Changed = true;
            } else {
                long want = clusters.refcount(g.clusterIndex(l2Off)) == 1 ? l2Off | Geometry.OFLAG_COPIED : l2Off;
                if (want != l1[i]) {
                    l1[i] = want;
                    l1Changed = true;
                }
            }
        }
        long l1Off = l1Changed ? Tables.replaceActiveL1(change, m.header, l1) : m.header.l1TableOffset;
        return change.writeNewClusters(m.header.size, l1.length, l1Off, entries.size(), tableOff);
    }

    private static boolean copiedFlagsChange(ImageMetadata m, ClusterAllocator clusters, byte[] l2) throws IOException {
        for (int j = 0; j < m.g.l2Entries; j++) {
            long e = m.tables.entry(l2, j);
            long off = Tables.dataOffset(e);
            if (off != 0) {
                boolean want = clusters.refcount(m.g.clusterIndex(off)) == 1;
                if (want != ((e & Geometry.OFLAG_COPIED) != 0)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Runs at write time, after the whole change is computed: refcounts are final by then. */
    private static void recomputeCopied(ImageMetadata m, ClusterAllocator clusters, byte[] l2) throws IOException {
        for (int j = 0; j < m.g.l2Entries; j++) {
            long e = m.tables.entry(l2, j);
            long off = Tables.dataOffset(e);
            if (off != 0) {
                boolean one = clusters.refcount(m.g.clusterIndex(off)) == 1;
                m.tables.setEntry(l2, j, one ? e | Geometry.OFLAG_COPIED : e & ~Geometry.OFLAG_COPIED);
            }
        }
    }
}
