package io.blksnap.catalog;

import io.blksnap.qcow2.Snapshot;
import io.blksnap.txn.ExternalSnapshotRequest;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.Operation;
import io.blksnap.txn.SnapshotRequest;
import io.blksnap.txn.TransactionRecord;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which transaction made which snapshot: a committed internal create made the snapshot of its
 * device with its name and its exact time; a committed external create made the point below its
 * overlay. Anything else was not made by blksnap.
 */
public final class Provenance {

    private record Key(String device, String name, long sec, long nsec) {
    }

    /** The transaction that made an external point, by device and overlay. */
    public record Made(String transactionId, Instant time) {
    }

    private final Map<Key, String> madeBy = new HashMap<>();
    /** By device, name and the id the journal recorded: a running VM's snapshot carries QEMU's time, not ours. */
    private final Map<List<String>, TransactionRecord> madeWithId = new HashMap<>();
    private final Map<List<Object>, Made> overlays = new HashMap<>();

    public Provenance(List<TransactionRecord> history) {
        for (TransactionRecord t : history) {
            if (!t.committed()) {
                continue;
            }
            for (int k = 0; k < t.requests().size(); k++) {
                SnapshotRequest r = t.requests().get(k);
                if (r instanceof InternalSnapshotRequest i && i.operation() == Operation.CREATE) {
                    madeBy.put(new Key(i.device(), i.name(), i.dateSec(), i.dateNsec()), t.id());
                    String id = k < t.snapshotIds().size() ? t.snapshotIds().get(k) : null;
                    if (id != null) {
                        madeWithId.put(List.of(i.device(), i.name(), id), t); // a later one reusing the id wins
                    }
                } else if (r instanceof ExternalSnapshotRequest e && e.operation() == Operation.CREATE) {
                    overlays.put(List.of(e.device(), e.overlay().toAbsolutePath().normalize()), new Made(t.id(), t.started()));
                }
            }
        }
    }

    /** The transaction that made {@code s} on {@code device}, or null when blksnap did not. */
    public String transactionOf(String device, Snapshot s) {
        String exact = madeBy.get(new Key(device, s.name(), s.dateSec(), s.dateNsec()));
        if (exact != null) {
            return exact;
        }
        // QEMU stamped it: the transaction that recorded its id, if the snapshot is not older than that transaction
        TransactionRecord t = madeWithId.get(List.of(device, s.name(), s.id()));
        return t != null && s.dateSec() >= t.started().getEpochSecond() ? t.id() : null;
    }

    /**
     * The last committed transaction that made {@code overlay} on {@code device} (the point below it), or null.
     * A later create of the same overlay path (after a delete) is the one whose point is in the chain now.
     */
    public Made externalOf(String device, Path overlay) {
        return overlays.get(List.of(device, overlay.toAbsolutePath().normalize()));
    }
}
