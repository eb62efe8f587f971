package io.blksnap.txn;

import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotException;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.util.List;

/**
 * The internal kinds that change an existing snapshot (delete, apply): prepare finds it, holding
 * the image; commit makes the change, so no device changes unless every device of the transaction
 * could; abort has nothing to undo; neither can be undone afterwards.
 */
abstract class ExistingSnapshotMember extends InternalMember {

    ExistingSnapshotMember(int index, InternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    /** The change itself, on the snapshot {@code ref} names. */
    abstract void change(SnapshotRef ref) throws IOException;

    @Override
    void check(List<Snapshot> snapshots) throws IOException {
        if (request.name() == null && request.id() == null) {
            throw refused("a deletion or apply needs a snapshot name or id");
        }
        if (find(request, snapshots) == null) {
            throw refused(request.id() != null && request.name() != null
                    ? "no snapshot has id " + request.id() + " and name \"" + request.name() + "\""
                    : "snapshot \"" + (request.name() != null ? request.name() : request.id()) + "\" does not exist");
        }
    }

    @Override
    void prepare() throws IOException {
        snapshotId = find(request, device.snapshots());
        if (snapshotId == null) {
            throw new SnapshotException("snapshot \"" + (request.name() != null ? request.name() : request.id())
                    + "\" does not exist");
        }
    }

    @Override
    void commit() throws IOException {
        change(SnapshotRef.byId(snapshotId));
    }

    @Override
    void abort() {
        // nothing was changed in prepare
    }

    @Override
    boolean rollBack() {
        return false; // nothing was changed before the commit point
    }

    /** The decided change, done again only where it is not done yet (the journal's id when it has one). */
    @Override
    void rollForward() throws IOException {
        InternalSnapshotRequest target = snapshotId != null
                ? InternalSnapshotRequest.deleteById(request.device(), snapshotId, request.name()) : request;
        String id = find(target, device.snapshots());
        if (id != null) {
            change(SnapshotRef.byId(id));
        }
    }

    @Override
    SnapshotRequest compensation(String transactionId) throws InvalidRequestException {
        throw refused("transaction " + transactionId + " deleted or reverted snapshots, which cannot be undone");
    }
}
