package io.blksnap.txn;

import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotException;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.util.List;

/**
 * The internal kinds that change an existing snapshot (delete, apply): prepare finds it and
 * writes the change into the image's free clusters (so a full disk fails here, never later);
 * commit switches it in, one header write; abort puts the image's bytes back. Neither can be
 * undone afterwards.
 */
abstract class ExistingSnapshotMember extends InternalMember {

    ExistingSnapshotMember(int index, InternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    /** Writes the change itself, on the snapshot {@code ref} names, without switching it in. */
    abstract Prepared prepareChange(SnapshotRef ref) throws IOException;

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
        change = prepareChange(SnapshotRef.byId(snapshotId));
    }


    /**
     * The decided change, done again from scratch (a dead process's prepared clusters are not in
     * the journal) only where it is not done yet (the journal's id when it has one).
     */
    @Override
    void rollForward() throws IOException {
        String id = find(target(), device.snapshots());
        if (id != null) {
            prepareChange(SnapshotRef.byId(id)).commit();
        }
    }

    /** The snapshot it changes: the journal's id when it has one, else the request's name or id. */
    InternalSnapshotRequest target() {
        return snapshotId != null ? InternalSnapshotRequest.deleteById(request.device(), snapshotId, request.name())
                : request;
    }

    @Override
    SnapshotRequest compensation(String transactionId) throws InvalidRequestException {
        throw refused("transaction " + transactionId + " deleted or reverted snapshots, which cannot be undone");
    }
}
