package io.blksnap.qcow2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Internal snapshot creation. The current active L1 table becomes the snapshot's L1 as it is;
 * the image gets a new active L1 in which every L2 table is shared with the snapshot, except
 * tables holding OFLAG_COPIED entries: those are copied with the flag cleared, so no active
 * table is ever rewritten in place.
 */
final class SnapshotCreate {

    private SnapshotCreate() {
    }

    static Snapshot run(ImageMetadata m, NewSnapshot req) throws IOException {
        SnapshotNames.validate(req.name());
        for (SnapshotEntry e : m.snapshots.entries()) {
            if (e.snapshot().name().equals(req.name())) {
                throw new SnapshotException("a snapshot named \"" + req.name() + "\" already exists");
            }
        }
        if (m.snapshots.entries().size() >= Header.MAX_SNAPSHOTS) {
            throw new SnapshotException("the image already has the maximum of " + Header.MAX_SNAPSHOTS + " snapshots");
        }
        ImageChange change = ImageChange.begin(m);
        long[] old = m.activeL1();
        long[] next = new long[old.length];
        // The snapshot keeps the old tables; the active image reaches the same data again.
        m.tables.share(change, old, next);
        long dateSec = req.time().getEpochSecond();
        // icount 0, as qemu-img 7.2 records it for an offline snapshot
        Snapshot snap = new Snapshot(SnapshotNames.nextId(m.snapshots.entries()), req.name(), 0, dateSec,
                req.time().getNano(), req.vmClockNsec(), 0, m.header.size);
        List<SnapshotEntry> entries = new ArrayList<>(m.snapshots.entries());
        entries.add(SnapshotEntry.create(snap, m.header.l1TableOffset, m.header.l1Size));
        long tableOff = m.snapshots.replace(change, entries);
        long l1Off = Tables.writeL1(change, next);
        change.writeNewClusters(m.header.size, next.length, l1Off, entries.size(), tableOff).commit();
        return snap;
    }
}
