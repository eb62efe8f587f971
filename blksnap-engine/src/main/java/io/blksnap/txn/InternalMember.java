package io.blksnap.txn;

import io.blksnap.qcow2.Snapshot;

import java.io.IOException;
import java.util.List;

/** What the internal kinds share: snapshots inside the device's active image, found by name and id. */
abstract class InternalMember extends Member<InternalSnapshotRequest> {

    /** What prepare wrote without switching it in: commit switches it, abort restores the image's bytes. */
    Prepared change;

    InternalMember(int index, InternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    @Override
    final void check() throws IOException {
        List<Snapshot> snapshots = device.snapshots();
        if (device.hasExternalDataFile()) {
            throw refused("internal snapshots are not supported with an external data file");
        }
        check(snapshots);
    }

    @Override
    void commit() throws IOException {
        change.commit();
        if (snapshotId == null) {
            snapshotId = change.snapshotId(); // a live create's id is QEMU's, known once its VM's transaction ran
        }
    }

    @Override
    void abort() throws IOException {
        if (change != null) {
            change.abort();
        }
    }

    /** Nothing is switched before the commit record: nothing to undo in the image. */
    @Override
    boolean rollBack() throws IOException {
        return false;
    }

    /** The kind's own checks against the device's snapshots. */
    abstract void check(List<Snapshot> snapshots) throws IOException;

    InvalidRequestException refused(String reason) {
        return new InvalidRequestException(request.device(), reason);
    }

    /** The id of the snapshot {@code r} names on the device, or null. */
    static String find(InternalSnapshotRequest r, List<Snapshot> snapshots) {
        for (Snapshot s : snapshots) {
            if ((r.id() == null || r.id().equals(s.id())) && (r.name() == null || r.name().equals(s.name()))) {
                return s.id();
            }
        }
        return null;
    }

    /**
     * The id of the snapshot this request made, or null: same name and the request's own time, so
     * a later snapshot that reuses the name is never taken for it (recovery and undo rely on this).
     * On a live disk QEMU stamps its own time, so the name alone: the create's check refused a
     * name already there, so a snapshot of that name is the one it made.
     */
    String madeBy(List<Snapshot> snapshots) {
        InternalSnapshotRequest r = request;
        for (Snapshot s : snapshots) {
            if (s.name().equals(r.name())
                    && (device.live() || s.dateSec() == r.dateSec() && s.dateNsec() == r.dateNsec())) {
                return s.id();
            }
        }
        return null;
    }
}
