package io.blksnap.txn;

import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;

/** Deleting an internal snapshot: prepared (written) in prepare, switched in on commit. */
final class InternalDelete extends ExistingSnapshotMember {

    InternalDelete(int index, InternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    /** Several deletions on one device may share a transaction (pruning); nothing else may. */
    @Override
    boolean sharesDeviceWith(SnapshotRequest other) {
        return other instanceof InternalSnapshotRequest i && i.operation() == Operation.DELETE;
    }

    /** The snapshot, there when the transaction began, is gone: its deletion was switched in. */
    @Override
    boolean switched() throws IOException {
        return device.present() && find(target(), device.snapshots()) == null;
    }

    @Override
    Prepared prepareChange(SnapshotRef ref) throws IOException {
        return device.prepareDelete(ref);
    }
}
