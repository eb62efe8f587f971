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

    static void run(ImageState s, SnapshotEntry target) throws IOException {
        Geometry g = s.g;
        ImageChange change = ImageChange.begin(s);
        long[] sl1 = s.snapshotL1(target);
        long[] old = s.activeL1();
        long[] next = new long[Math.max(old.length, sl1.length)];
        s.tables.share(change, sl1, next);
        s.tables.release(change.clusters, old);
        long l1Off = Tables.replaceActiveL1(change, s.header, next);
        long size = target.snapshot().diskSize();
        if (g.l1EntriesFor(size) > next.length) {
            throw new MalformedImageException("snapshot \"" + target.snapshot().name()
                    + "\" records a disk size its L1 table cannot map");
        }
        change.writeNewClusters(size, next.length, l1Off, s.snapshots.entries().size(), s.header.snapshotsOffset).commit();
    }
}
