package io.blksnap.txn;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotNames;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.util.List;

/**
 * Creating an internal snapshot: prepare writes it into the image's free clusters, commit switches
 * it in (one header write), abort puts the image's bytes back. Recovery past the commit point
 * makes it again where the switch did not happen; undo deletes it, found by the name and time it
 * was given.
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
        change = request.withMemory() ? device.prepareCreateWithMemory(newSnapshot(), index)
                : device.prepareCreate(newSnapshot());
        snapshotId = change.snapshotId();
    }

    private NewSnapshot newSnapshot() {
        return new NewSnapshot(request.name(), request.time(), request.vmClockNsec());
    }


    /** A live create is made by its VM's QMP transaction before the commit record: it proves nothing. */
    @Override
    boolean switched() throws IOException {
        return !device.live() && device.present() && madeBy(device.snapshots()) != null;
    }

    /**
     * Offline nothing is switched before the commit record. A live create may have been made by
     * its VM's transaction: deleted again, found by its name.
     */
    @Override
    boolean rollBack() throws IOException {
        if (!device.live()) {
            return false;
        }
        String made = madeBy(device.snapshots());
        if (made == null) {
            return false;
        }
        device.prepareDelete(SnapshotRef.byId(made)).commit();
        return true;
    }

    /** The prepared clusters of a dead process are lost (not in the journal): the create is made again. */
    @Override
    void rollForward() throws IOException {
        if (madeBy(device.snapshots()) == null) {
            device.prepareCreate(newSnapshot()).commit();
        }
    }

    @Override
    SnapshotRequest compensation(String transactionId) throws IOException {
        if (!device.present()) {
            return null;
        }
        String made = madeBy(device.snapshots());
        return made == null ? null : InternalSnapshotRequest.deleteById(request.device(), made, request.name());
    }
}
