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
                TransactionResult r;
                try {
                    r = u.committed() ? rollForward(u) : rollBack(u);
                } catch (IOException | RuntimeException e) {
                    try {
                        resumeVms(u);
                    } catch (IOException | RuntimeException x) {
                        throw new IOException(e.getMessage() + "; " + x.getMessage(), e);
                    }
                    throw e;
                }
                resumeVms(u);
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

    /**
     * Before the commit point: each member removes what its prepare may have left, last first. But
     * first the images are asked: nothing is switched before the commit record, so a member whose
     * change is made proves the record was reached (then lost): that transaction rolls forward.
     */
    private TransactionResult rollBack(Journal.Unfinished u) throws IOException {
        try (Devices devices = new Devices(registry, open)) {
            Members members = members(u, devices);
            for (Member<?> m : members.all()) {
                if (m.switched()) {
                    return forward(u, members, "completed by recovery: the journal has no commit record, but "
                            + m.request.device() + " shows its change made, so the commit was reached");
                }
            }
            eachDevice(members.reversed(), m -> m.step = m.rollBack() ? Step.INVALIDATED : Step.CANCELLED);
            return members.result(u.id(), TransactionStatus.ROLLED_BACK, null, "rolled back by recovery");
        }
    }

    /** Past the commit point: each member finishes its commit where it is not done yet, then the devices pivot. */
    private TransactionResult rollForward(Journal.Unfinished u) throws IOException {
        try (Devices devices = new Devices(registry, open)) {
            return forward(u, members(u, devices), "completed by recovery");
        }
    }

    private TransactionResult forward(Journal.Unfinished u, Members members, String reason) throws IOException {
        eachDevice(members.all(), Member::rollForward);
        members.pivot(registry);
        eachDevice(members.all(), Member::finish);
        members.setAll(Step.COMMITTED);
        return members.result(u.id(), TransactionStatus.ROLLED_FORWARD, null, reason);
    }

    /**
     * Resumes the VMs the dead transaction paused and thaws the guests it froze (its {@code live}
     * record), after its members are resolved, and even when some could not be: an internal
     * snapshot left over does not change what the guest runs on, and it is not left paused. A VM
     * that does not answer keeps the transaction pending.
     */
    private static void resumeVms(Journal.Unfinished u) throws IOException {
        for (JournalRecord rec : u.records()) {
            if (JournalRecord.LIVE.equals(rec.rec())) {
                LiveStep.resume(rec);
            }
        }
    }

    /** The members of {@code u}, with the snapshot ids its step records give. */
    private static Members members(Journal.Unfinished u, Devices devices) {
        Members members = Members.of(u.requests(), devices);
        for (JournalRecord rec : u.records()) {
            if (JournalRecord.STEP.equals(rec.rec()) && rec.snapshotId() != null) {
                members.get(rec.index()).snapshotId = rec.snapshotId();
            }
        }
        return members;
    }

    private interface MemberWork {
        void run(Member<?> m) throws IOException;
    }

    /**
     * Runs {@code work} for every member, going on past a device that fails, then names every
     * device that failed: the transaction stays pending (its journal kept) until all are resolved.
     */
    private static void eachDevice(List<Member<?>> members, MemberWork work) throws IOException {
        List<String> failed = new ArrayList<>();
        IOException first = null;
        for (Member<?> m : members) {
            try {
                work.run(m);
            } catch (IOException | RuntimeException e) {
                failed.add(m.request.device() + ": " + Member.message(e));
                if (first == null) {
                    first = e instanceof IOException io ? io : new IOException(e);
                }
            }
        }
        if (!failed.isEmpty()) {
            IOException e = new IOException("could not recover " + failed.size() + " of " + members.size()
                    + " requests (" + String.join("; ", failed) + "); the others are done", first);
            throw e;
        }
    }
}
