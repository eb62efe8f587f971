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
    private final Map<List<Object>, Made> overlays = new HashMap<>();

    public Provenance(List<TransactionRecord> history) {
        for (TransactionRecord t : history) {
            if (!t.committed()) {
                continue;
            }
            for (SnapshotRequest r : t.requests()) {
                if (r instanceof InternalSnapshotRequest i && i.operation() == Operation.CREATE) {
                    madeBy.put(new Key(i.device(), i.name(), i.dateSec(), i.dateNsec()), t.id());
                } else if (r instanceof ExternalSnapshotRequest e && e.operation() == Operation.CREATE) {
                    overlays.put(List.of(e.device(), e.overlay().toAbsolutePath().normalize()), new Made(t.id(), t.started()));
                }
            }
        }
    }

    /** The transaction that made {@code s} on {@code device}, or null when blksnap did not. */
    public String transactionOf(String device, Snapshot s) {
        return madeBy.get(new Key(device, s.name(), s.dateSec(), s.dateNsec()));
    }

    /**
     * The last committed transaction that made {@code overlay} on {@code device} (the point below it), or null.
     * A later create of the same overlay path (after a delete) is the one whose point is in the chain now.
     */
    public Made externalOf(String device, Path overlay) {
        return overlays.get(List.of(device, overlay.toAbsolutePath().normalize()));
    }
}
