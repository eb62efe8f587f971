package io.blksnap.txn;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotNames;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.util.List;

/**
 * Creating an internal snapshot: prepare makes it (durably, in the image); abort, recovery before
 * the commit point and undo delete it again, found by the name and time it was given.
 */
final class InternalCreate extends InternalMember {

    InternalCreate(int index, InternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    @Override
    void check(List<Snapshot> snapshots) throws IOException {
        if (request.id() != null) {
            throw refused("a new snapshot's id is chosen by the image, not the request");
        }
        SnapshotNames.validate(request.name());
        for (Snapshot s : snapshots) {
            if (s.name().equals(request.name())) {
                throw refused("a snapshot named \"" + request.name() + "\" already exists");
            }
        }
    }

    @Override
    void prepare() throws IOException {
        snapshotId = device.createSnapshot(new NewSnapshot(request.name(), request.time(), request.vmClockNsec()));
    }

    @Override
    void commit() {
        // made in prepare
    }

    @Override
    void abort() throws IOException {
        if (snapshotId != null) {
            device.deleteSnapshot(SnapshotRef.byIdAndName(snapshotId, request.name()));
        }
    }

    @Override
    boolean rollBack() throws IOException {
        String made = madeBy(request, device.snapshots());
        if (made != null) {
            device.deleteSnapshot(SnapshotRef.byIdAndName(made, request.name()));
        }
        return made != null;
    }

    @Override
    void rollForward() {
        // made in prepare, durably
    }

    @Override
    SnapshotRequest compensation(String transactionId) throws IOException {
        if (!device.present()) {
            return null;
        }
        String made = madeBy(request, device.snapshots());
        return made == null ? null : InternalSnapshotRequest.deleteById(request.device(), made, request.name());
    }
}
