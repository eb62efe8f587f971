package io.blksnap.txn;

import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Compensates a committed transaction as one new transaction of each member's compensation (for
 * an internal snapshot: deleting it, only while it is still there with the name and time it was
 * given, so a later snapshot of the same name is safe). Undoing an aborted transaction, or one
 * already undone, changes nothing.
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
        List<SnapshotRequest> undo = new ArrayList<>();
        try (Devices devices = Devices.readOnly(registry)) {
            for (Member<?> m : Members.of(t.requests(), devices).all()) {
                SnapshotRequest c = m.compensation(id);
                if (c != null) {
                    undo.add(c);
                }
            }
        }
        if (undo.isEmpty()) {
            return nothing(id, "nothing to undo: transaction " + id + " is already undone");
        }
        for (SnapshotRequest c : undo) {
            compensation.add(c);
        }
        return compensation.submit();
    }

    private static TransactionResult nothing(String id, String reason) {
        return new TransactionResult(id, TransactionStatus.COMMITTED, List.of(), null, reason);
    }
}
