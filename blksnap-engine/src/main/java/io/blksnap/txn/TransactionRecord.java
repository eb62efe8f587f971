package io.blksnap.txn;

import java.time.Instant;
import java.util.List;

/**
 * A finished transaction as its journal tells it: what was asked, how it ended, and the ids of
 * the internal snapshots its requests made or removed (null where none).
 */
public record TransactionRecord(String id, Instant started, TransactionStatus status, List<SnapshotRequest> requests,
                                List<String> snapshotIds, String reason) {

    static TransactionRecord of(List<JournalRecord> records) {
        JournalRecord begin = records.get(0);
        JournalRecord end = records.get(records.size() - 1);
        String[] ids = new String[begin.requests().size()];
        for (JournalRecord r : records) {
            if (JournalRecord.STEP.equals(r.rec()) && r.snapshotId() != null && r.index() < ids.length) {
                ids[r.index()] = r.snapshotId();
            }
        }
        return new TransactionRecord(begin.id(), Instant.ofEpochMilli(begin.time()), end.status(),
                List.copyOf(begin.requests()), java.util.Arrays.asList(ids), end.reason());
    }

    public boolean committed() {
        return status == TransactionStatus.COMMITTED || status == TransactionStatus.ROLLED_FORWARD;
    }
}
