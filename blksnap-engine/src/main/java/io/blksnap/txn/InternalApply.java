package io.blksnap.txn;

import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.util.List;

/** Reverting a device to an internal snapshot: prepared (written) in prepare, switched in on commit. */
final class InternalApply extends ExistingSnapshotMember {

    InternalApply(int index, InternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    @Override
    void check(List<Snapshot> snapshots) throws IOException {
        if (device.live()) {
            throw refused("QMP cannot revert a disk in place: shut the VM down and apply offline");
        }
        super.check(snapshots);
    }

    @Override
    Prepared prepareChange(SnapshotRef ref) throws IOException {
        return device.prepareApply(ref);
    }
}
