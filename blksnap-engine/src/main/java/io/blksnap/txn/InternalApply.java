package io.blksnap.txn;

import io.blksnap.qcow2.PreparedChange;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;

/** Reverting a device to an internal snapshot: prepared (written) in prepare, switched in on commit. */
final class InternalApply extends ExistingSnapshotMember {

    InternalApply(int index, InternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    @Override
    PreparedChange prepareChange(SnapshotRef ref) throws IOException {
        return device.prepareApply(ref);
    }
}
