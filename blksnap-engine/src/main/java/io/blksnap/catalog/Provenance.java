package io.blksnap.catalog;

import io.blksnap.qcow2.Snapshot;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.Operation;
import io.blksnap.txn.SnapshotRequest;
import io.blksnap.txn.TransactionRecord;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which transaction made which snapshot: a committed internal create made the snapshot of its
 * device with its name and its exact time. Anything else was not made by blksnap.
 */
public final class Provenance {

    private record Key(String device, String name, long sec, long nsec) {
    }

    private final Map<Key, String> madeBy = new HashMap<>();

    public Provenance(List<TransactionRecord> history) {
        for (TransactionRecord t : history) {
            if (!t.committed()) {
                continue;
            }
            for (SnapshotRequest r : t.requests()) {
                if (r instanceof InternalSnapshotRequest i && i.operation() == Operation.CREATE) {
                    madeBy.put(new Key(i.device(), i.name(), i.dateSec(), i.dateNsec()), t.id());
                }
            }
        }
    }

    /** The transaction that made {@code s} on {@code device}, or null when blksnap did not. */
    public String transactionOf(String device, Snapshot s) {
        return madeBy.get(new Key(device, s.name(), s.dateSec(), s.dateNsec()));
    }
}
