package io.blksnap.txn;

import io.blksnap.fs.AtomicFiles;
import io.blksnap.qcow2.OpenOptions;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.SnapshotRef;
import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves transactions a dead process left in the journal: before their commit record they
 * are rolled back, after it rolled forward. Every step looks at the images first and does only
 * what is missing, so recovery may itself be interrupted and run again.
 */
final class Recovery {

    private final DeviceRegistry registry;
    private final Journal journal;
    private final Events events;
    private final FaultInjector faults;
    private final OpenOptions open;

    Recovery(DeviceRegistry registry, Journal journal, Events events, FaultInjector faults) {
        this.registry = registry;
        this.journal = journal;
        this.events = events;
        this.faults = faults;
        this.open = OpenOptions.readWrite().decorated(faults::wrap);
    }

    RecoveryReport run(Set<String> runningHere) throws IOException {
        List<TransactionResult> resolved = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        for (Journal.Unfinished u : journal.unfinished(runningHere)) {
            try {
                TransactionResult r = u.committed() ? rollForward(u) : rollBack(u);
                faults.at("recovered");
                journal.finishAbandoned(u, r.status(), "recovered");
                resolved.add(r);
                events.emit(TransactionEvent.Kind.RECOVERED, u.id(), null, null, r);
            } catch (IOException | RuntimeException e) {
                pending.add(u.id() + ": " + e.getMessage());
            }
        }
        return new RecoveryReport(List.copyOf(resolved), List.copyOf(pending));
    }

    private TransactionResult rollBack(Journal.Unfinished u) throws IOException {
        List<SnapshotRequest> requests = u.requests();
        Step[] steps = new Step[requests.size()];
        for (int i = requests.size() - 1; i >= 0; i--) {
            SnapshotRequest r = requests.get(i);
            steps[i] = Step.CANCELLED;
            if (r instanceof InternalSnapshotRequest ir && ir.operation() == Operation.CREATE) {
                if (deleteMadeBy(ir)) {
                    steps[i] = Step.INVALIDATED;
                }
            } else if (r instanceof ExternalSnapshotRequest er && !er.useExisting()) {
                Path overlay = er.overlay();
                boolean active = registry.activeImage(er.device()).equals(overlay.toAbsolutePath().normalize());
                if (!active && Files.deleteIfExists(overlay)) {
                    AtomicFiles.syncDirectory(overlay.toAbsolutePath().getParent());
                    steps[i] = Step.INVALIDATED;
                }
            }
        }
        return TransactionRunner.result(u.id(), TransactionStatus.ROLLED_BACK, requests, steps,
                new String[requests.size()], new String[requests.size()], null, "rolled back by recovery");
    }

    /** Deletes the snapshot this request made, if it exists: same name and the request's own time. */
    private boolean deleteMadeBy(InternalSnapshotRequest r) throws IOException {
        try (Qcow2Image img = Qcow2Image.open(registry.activeImage(r.device()), open)) {
            String id = InternalCreateAction.madeBy(r, img.snapshots());
            if (id != null) {
                img.deleteSnapshot(SnapshotRef.byIdAndName(id, r.name()));
            }
            return id != null;
        }
    }

    private TransactionResult rollForward(Journal.Unfinished u) throws IOException {
        List<SnapshotRequest> requests = u.requests();
        String[] ids = new String[requests.size()];
        for (JournalRecord rec : u.records()) {
            if (JournalRecord.STEP.equals(rec.rec()) && rec.snapshotId() != null) {
                ids[rec.index()] = rec.snapshotId();
            }
        }
        Map<String, Path> pivots = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            SnapshotRequest r = requests.get(i);
            if (r instanceof InternalSnapshotRequest ir && ir.operation() != Operation.CREATE) {
                // the decided deletion or revert, done again only where it is not done yet
                InternalSnapshotRequest target = ids[i] != null
                        ? InternalSnapshotRequest.deleteById(ir.device(), ids[i], ir.name()) : ir;
                try (Qcow2Image img = Qcow2Image.open(registry.activeImage(r.device()), open)) {
                    String id = InternalDeleteAction.find(target, img.snapshots());
                    if (id != null && ir.operation() == Operation.DELETE) {
                        img.deleteSnapshot(SnapshotRef.byId(id));
                    } else if (id != null) {
                        img.applySnapshot(SnapshotRef.byId(id));
                    }
                }
            } else if (r instanceof ExternalSnapshotRequest er) {
                if (!Files.exists(er.overlay())) {
                    throw new IOException("overlay " + er.overlay() + " of committed transaction is missing");
                }
                pivots.put(er.device(), er.overlay());
            }
        }
        if (!pivots.isEmpty()) {
            registry.pivot(pivots);
        }
        Step[] steps = new Step[requests.size()];
        java.util.Arrays.fill(steps, Step.COMMITTED);
        return TransactionRunner.result(u.id(), TransactionStatus.ROLLED_FORWARD, requests, steps, ids,
                new String[requests.size()], null, "completed by recovery");
    }
}
