package io.blksnap.txn;

import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.util.List;

/**
 * Reverting a device to an internal snapshot: prepared (written) in prepare, switched in on commit.
 * On a running VM only a snapshot saved with the VM's memory, loaded back by QEMU's
 * {@code snapshot-load} over all of the VM's disks at once (see {@link LiveDisk#prepareApply}).
 */
final class InternalApply extends ExistingSnapshotMember {

    InternalApply(int index, InternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    @Override
    void check(List<Snapshot> snapshots) throws IOException {
        if (device.live() && !(request.name() != null && device instanceof LiveDisk d
                && d.vmStateSaved(request.name()))) {
            throw refused("QMP cannot revert a disk in place: shut the VM down and apply offline"
                    + " (a running VM loads back only a snapshot saved with its memory, by name)");
        }
        super.check(snapshots);
    }

    @Override
    Prepared prepareChange(SnapshotRef ref) throws IOException {
        return device.prepareApply(ref);
    }
}
