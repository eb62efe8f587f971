package io.blksnap.retention;

import io.blksnap.catalog.Catalog;
import io.blksnap.catalog.CatalogDevice;
import io.blksnap.catalog.CatalogSnapshot;
import io.blksnap.catalog.GroupCatalog;
import io.blksnap.txn.ExternalSnapshotRequest;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.SnapshotRequest;
import io.blksnap.txn.Transaction;
import io.blksnap.txn.TransactionResult;
import io.blksnap.txn.TransactionStatus;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a retention policy to a group. The candidates are group snapshots blksnap made, internal
 * snapshots or external points: one per creating transaction, named by that transaction's id;
 * snapshots blksnap did not make are never candidates. Every pruned group snapshot goes, on every
 * device, in one transaction: the internal deletions first, then the external points merged away
 * oldest first. The engine takes one external change per device per transaction (nor one beside
 * internal deletions of that device), so when pruning takes several from one device the group
 * snapshots go in as few transactions as that allows, in that order, stopping at the first that
 * does not commit. A group snapshot with an external point on a running VM's disk is refused (a
 * live merge is not supported yet) and kept whole.
 */
public final class GroupPruner {

    private final SnapshotEngine engine;
    private final Duration lockTimeout;

    public GroupPruner(SnapshotEngine engine) {
        this(engine, null);
    }

    /** The deleting transactions wait for busy devices at most {@code lockTimeout} (null: the engine's). */
    public GroupPruner(SnapshotEngine engine, Duration lockTimeout) {
        this.engine = engine;
        this.lockTimeout = lockTimeout;
    }

    public PruneResult prune(String group, RetentionPolicy policy, Instant now, ZoneId zone, boolean dryRun)
            throws IOException {
        Catalog catalog = new GroupCatalog(engine).catalog(group, now);
        // transaction id -> the deletions of the group snapshot it made
        Map<String, List<PruneStep>> made = new LinkedHashMap<>();
        Map<String, Instant> times = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (CatalogDevice d : catalog.devices()) {
            String refusal = d.live() ? engine.describe(d.name()).externalChangeRefusal() : null;
            for (CatalogSnapshot s : d.snapshots()) {
                if (s.transactionId() != null) {
                    made.computeIfAbsent(s.transactionId(), k -> new ArrayList<>()).add(s.external()
                            ? new PruneStep(s.transactionId(), d.name(), s.kind(), "", s.name(), s.overlay(), s.diskSize(),
                                    refusal)
                            : new PruneStep(s.transactionId(), d.name(), s.kind(), s.id(), s.name(), null, 0, null));
                    times.putIfAbsent(s.transactionId(), Instant.ofEpochSecond(s.dateSec(), s.dateNsec()));
                    names.putIfAbsent(s.transactionId(), s.name());
                }
            }
        }
        List<RetentionCandidate> candidates = new ArrayList<>();
        times.forEach((id, t) -> candidates.add(new RetentionCandidate(id, t)));
        PrunePlan plan = RetentionPlanner.plan(candidates, policy, now, zone);

        List<List<PruneDecision>> batches = batches(plan, made);
        List<PruneStep> steps = new ArrayList<>();
        for (List<PruneDecision> batch : batches) {
            batch.forEach(d -> steps.addAll(made.get(d.id())));
        }
        plan.pruned().stream().filter(d -> refused(made.get(d.id()))).forEach(d -> steps.addAll(made.get(d.id())));
        List<TransactionResult> transactions = new ArrayList<>();
        if (!dryRun) {
            for (List<PruneDecision> batch : batches) {
                TransactionResult r = delete(batch, made);
                transactions.add(r);
                if (r.status() != TransactionStatus.COMMITTED) {
                    break;
                }
            }
        }
        return new PruneResult(group, dryRun, plan.decisions(), Map.copyOf(names), List.copyOf(steps),
                List.copyOf(transactions));
    }

    private static boolean refused(List<PruneStep> steps) {
        return steps.stream().anyMatch(s -> s.refusal() != null);
    }

    private static boolean external(List<PruneStep> steps) {
        return steps.stream().anyMatch(s -> s.overlay() != null);
    }

    /**
     * The pruned group snapshots that can go, in transactions: those with only internal snapshots
     * first, then those with external points oldest first; a group snapshot joins the current
     * transaction unless one of its external points is on a device the transaction already changes.
     */
    private static List<List<PruneDecision>> batches(PrunePlan plan, Map<String, List<PruneStep>> made) {
        List<PruneDecision> order = new ArrayList<>();
        List<PruneDecision> oldestFirst = new ArrayList<>(plan.pruned());
        java.util.Collections.reverse(oldestFirst);
        oldestFirst.stream().filter(d -> !refused(made.get(d.id())) && !external(made.get(d.id()))).forEach(order::add);
        oldestFirst.stream().filter(d -> !refused(made.get(d.id())) && external(made.get(d.id()))).forEach(order::add);
        List<List<PruneDecision>> out = new ArrayList<>();
        List<PruneDecision> current = new ArrayList<>();
        Set<String> internalDevices = new HashSet<>();
        Set<String> externalDevices = new HashSet<>();
        for (PruneDecision d : order) {
            boolean clash = false;
            for (PruneStep s : made.get(d.id())) {
                clash |= s.overlay() != null ? internalDevices.contains(s.device()) || externalDevices.contains(s.device())
                        : externalDevices.contains(s.device());
            }
            if (clash) {
                out.add(current);
                current = new ArrayList<>();
                internalDevices.clear();
                externalDevices.clear();
            }
            current.add(d);
            for (PruneStep s : made.get(d.id())) {
                (s.overlay() != null ? externalDevices : internalDevices).add(s.device());
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private TransactionResult delete(List<PruneDecision> batch, Map<String, List<PruneStep>> made) throws IOException {
        Transaction t = engine.begin();
        if (lockTimeout != null) {
            t.lockTimeout(lockTimeout);
        }
        for (PruneDecision d : batch) {
            for (PruneStep s : made.get(d.id())) {
                SnapshotRequest r = s.overlay() != null ? ExternalSnapshotRequest.delete(s.device(), Path.of(s.overlay()))
                        : InternalSnapshotRequest.deleteById(s.device(), s.id(), s.name());
                t.add(r);
            }
        }
        return t.submit();
    }
}
