package io.blksnap.retention;

import io.blksnap.catalog.Catalog;
import io.blksnap.catalog.CatalogDevice;
import io.blksnap.catalog.CatalogSnapshot;
import io.blksnap.catalog.GroupCatalog;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.Transaction;
import io.blksnap.txn.TransactionResult;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a retention policy to a group. The candidates are group snapshots blksnap made: one
 * per creating transaction, named by that transaction's id; snapshots blksnap did not make are
 * never candidates. Every pruned group snapshot goes, on every device, in one transaction.
 */
public final class GroupPruner {

    private final SnapshotEngine engine;
    private final Duration lockTimeout;

    public GroupPruner(SnapshotEngine engine) {
        this(engine, null);
    }

    /** The deleting transaction waits for busy devices at most {@code lockTimeout} (null: the engine's). */
    public GroupPruner(SnapshotEngine engine, Duration lockTimeout) {
        this.engine = engine;
        this.lockTimeout = lockTimeout;
    }

    public PruneResult prune(String group, RetentionPolicy policy, Instant now, ZoneId zone, boolean dryRun)
            throws IOException {
        Catalog catalog = new GroupCatalog(engine).catalog(group, now);
        // transaction id -> (device, snapshot) pairs it made in this group
        Map<String, List<String[]>> made = new LinkedHashMap<>();
        Map<String, Instant> times = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (CatalogDevice d : catalog.devices()) {
            for (CatalogSnapshot s : d.snapshots()) {
                if (s.transactionId() != null) {
                    made.computeIfAbsent(s.transactionId(), k -> new ArrayList<>())
                            .add(new String[] {d.name(), s.id(), s.name()});
                    times.putIfAbsent(s.transactionId(), Instant.ofEpochSecond(s.dateSec(), s.dateNsec()));
                    names.putIfAbsent(s.transactionId(), s.name());
                }
            }
        }
        List<RetentionCandidate> candidates = new ArrayList<>();
        times.forEach((id, t) -> candidates.add(new RetentionCandidate(id, t)));
        PrunePlan plan = RetentionPlanner.plan(candidates, policy, now, zone);
        if (dryRun || plan.pruned().isEmpty()) {
            return new PruneResult(group, dryRun, plan.decisions(), Map.copyOf(names), null);
        }
        Transaction t = engine.begin();
        if (lockTimeout != null) {
            t.lockTimeout(lockTimeout);
        }
        for (PruneDecision d : plan.pruned()) {
            for (String[] snap : made.get(d.id())) {
                t.add(InternalSnapshotRequest.deleteById(snap[0], snap[1], snap[2]));
            }
        }
        TransactionResult r = t.submit();
        return new PruneResult(group, false, plan.decisions(), Map.copyOf(names), r);
    }
}
