package io.blksnap.txn;

import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Compensates a committed transaction: removes the internal snapshots it made (only those still
 * there with the name and time it gave them, so a later snapshot of the same name is safe), as
 * one new transaction. Undoing an aborted transaction, or one already undone, changes nothing.
 */
final class Undo {

    private final DeviceRegistry registry;
    private final Journal journal;

    Undo(DeviceRegistry registry, Journal journal) {
        this.registry = registry;
        this.journal = journal;
    }

    TransactionResult run(String id, Transaction compensation) throws IOException {
        TransactionRecord t = null;
        for (TransactionRecord r : journal.finished()) {
            if (r.id().equals(id)) {
                t = r;
            }
        }
        if (t == null) {
            throw new InvalidRequestException(id, journal.isLive(id)
                    ? "the transaction is still running or awaits recovery" : "unknown transaction");
        }
        if (!t.committed()) {
            return nothing(id, "nothing to undo: transaction " + id + " did not commit");
        }
        for (SnapshotRequest r : t.requests()) {
            if (r instanceof ExternalSnapshotRequest) {
                throw new InvalidRequestException(r.device(), "undoing an external snapshot is not supported yet");
            }
            if (r.operation() != Operation.CREATE) {
                throw new InvalidRequestException(r.device(), "transaction " + id
                        + " deleted or reverted snapshots, which cannot be undone");
            }
        }
        for (SnapshotRequest r : t.requests()) {
            InternalSnapshotRequest ir = (InternalSnapshotRequest) r;
            Path image = registry.activeImage(ir.device());
            if (!Files.exists(image)) {
                continue;
            }
            String madeId = madeBy(ir, image);
            if (madeId != null) {
                compensation.add(InternalSnapshotRequest.deleteById(ir.device(), madeId, ir.name()));
            }
        }
        if (compensation.requests().isEmpty()) {
            return nothing(id, "nothing to undo: transaction " + id + " is already undone");
        }
        return compensation.submit();
    }

    private static String madeBy(InternalSnapshotRequest r, Path image) throws IOException {
        try (Qcow2Image img = Qcow2Image.open(image)) {
            return InternalCreateAction.madeBy(r, img.snapshots());
        }
    }

    private static TransactionResult nothing(String id, String reason) {
        return new TransactionResult(id, TransactionStatus.COMMITTED, List.of(), null, reason);
    }
}
