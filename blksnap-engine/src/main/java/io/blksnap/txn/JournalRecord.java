package io.blksnap.txn;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One line of a transaction's journal: {@code begin} (the intent, durable before any image is
 * touched), {@code step} (progress), {@code live} (durable before any VM is frozen or paused: the
 * VMs this transaction pauses and the guest agents it freezes, which recovery resumes and thaws),
 * {@code commit} (the decision, durable), {@code end}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record JournalRecord(String rec, String id, Long time, List<SnapshotRequest> requests, Integer index, Step step,
                     String snapshotId, TransactionStatus status, String reason, List<String> paused,
                     List<String> frozen) {

    static final String BEGIN = "begin";
    static final String STEP = "step";
    static final String LIVE = "live";
    static final String COMMIT = "commit";
    static final String END = "end";

    static JournalRecord begin(String id, long time, List<SnapshotRequest> requests) {
        return new JournalRecord(BEGIN, id, time, requests, null, null, null, null, null, null, null);
    }

    static JournalRecord step(int index, Step step, String snapshotId, String reason) {
        return new JournalRecord(STEP, null, null, null, index, step, snapshotId, null, reason, null, null);
    }

    static JournalRecord live(List<String> paused, List<String> frozen) {
        return new JournalRecord(LIVE, null, null, null, null, null, null, null, null, List.copyOf(paused),
                List.copyOf(frozen));
    }

    static JournalRecord commit() {
        return new JournalRecord(COMMIT, null, null, null, null, null, null, null, null, null, null);
    }

    static JournalRecord end(TransactionStatus status, String reason) {
        return new JournalRecord(END, null, null, null, null, null, null, status, reason, null, null);
    }
}
