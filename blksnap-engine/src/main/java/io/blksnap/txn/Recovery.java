package io.blksnap.txn;

import io.blksnap.qcow2.OpenOptions;
import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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

    /** Before the commit point: each member removes what its prepare may have left, last first. */
    private TransactionResult rollBack(Journal.Unfinished u) throws IOException {
        try (Devices devices = new Devices(registry, open)) {
            Members members = Members.of(u.requests(), devices);
            for (Member<?> m : members.reversed()) {
                m.step = m.rollBack() ? Step.INVALIDATED : Step.CANCELLED;
            }
            return members.result(u.id(), TransactionStatus.ROLLED_BACK, null, "rolled back by recovery");
        }
    }

    /** Past the commit point: each member finishes its commit where it is not done yet, then the devices pivot. */
    private TransactionResult rollForward(Journal.Unfinished u) throws IOException {
        try (Devices devices = new Devices(registry, open)) {
            Members members = Members.of(u.requests(), devices);
            for (JournalRecord rec : u.records()) {
                if (JournalRecord.STEP.equals(rec.rec()) && rec.snapshotId() != null) {
                    members.get(rec.index()).snapshotId = rec.snapshotId();
                }
            }
            for (Member<?> m : members.all()) {
                m.rollForward();
            }
            members.pivot(registry);
            members.setAll(Step.COMMITTED);
            return members.result(u.id(), TransactionStatus.ROLLED_FORWARD, null, "completed by recovery");
        }
    }
}
