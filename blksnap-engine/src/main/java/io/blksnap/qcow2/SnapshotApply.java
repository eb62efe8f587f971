package io.blksnap.qcow2;

import java.io.IOException;

/**
 * Revert to an internal snapshot, as {@code qemu-img snapshot -a}: the active image becomes a
 * new L1 that shares the snapshot's L2 tables (copies where stale OFLAG_COPIED bits would lie),
 * and everything the old active L1 reached is released. The virtual size becomes the snapshot's.
 */
final class SnapshotApply {

    private SnapshotApply() {
    }

    static void run(ImageMetadata m, SnapshotEntry target) throws IOException {
        Geometry g = m.g;
        ImageChange change = ImageChange.begin(m);
        long[] sl1 = m.snapshotL1(target);
        long[] old = m.activeL1();
        long[] next = new long[Math.max(old.length, sl1.length)];
        m.tables.share(change, sl1, next);
        m.tables.release(change.clusters, old);
        long l1Off = Tables.replaceActiveL1(change, m.header, next);
        long size = target.snapshot().diskSize();
        if (g.l1EntriesFor(size) > next.length) {
            throw new MalformedImageException("snapshot \"" + target.snapshot().name()
                    + "\" records a disk size its L1 table cannot map");
        }
        int nbSnapshots = m.snapshots.entries().size();
        change.writeNewClusters(size, next.length, l1Off, nbSnapshots, m.header.snapshotsOffset).commit();
    }
}
