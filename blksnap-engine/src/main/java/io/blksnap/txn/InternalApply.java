package io.blksnap.txn;

import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;

/** Reverting a device to an internal snapshot: found in prepare, applied on commit. */
final class InternalApply extends ExistingSnapshotMember {

    InternalApply(int index, InternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    @Override
    void change(SnapshotRef ref) throws IOException {
        device.applySnapshot(ref);
    }
}
