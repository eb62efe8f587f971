package io.blksnap.txn;

import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;

/** Deleting an internal snapshot: found in prepare, deleted on commit. */
final class InternalDelete extends ExistingSnapshotMember {

    InternalDelete(int index, InternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    /** Several deletions on one device may share a transaction (pruning); nothing else may. */
    @Override
    boolean sharesDeviceWith(SnapshotRequest other) {
        return other instanceof InternalSnapshotRequest i && i.operation() == Operation.DELETE;
    }

    @Override
    void change(SnapshotRef ref) throws IOException {
        device.deleteSnapshot(ref);
    }
}
