package io.blksnap.txn;

import io.blksnap.qcow2.OpenOptions;
import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Runs a submitted transaction over its members: lock the devices, journal the intent, prepare
 * every member (devices in parallel), run the {@link LiveStep} (running VMs paused and snapshotted,
 * one QMP transaction each), then either journal the commit and commit every member, or abort
 * every prepared member in reverse order; VMs resume only once that outcome is final. It never
 * looks at a request's kind.
 */
final class TransactionRunner {

    private final DeviceRegistry registry;
    private final Journal journal;
    private final DeviceLocks locks;
    private final Events events;
    private final ExecutorService pool;
    private final Duration lockTimeout;
    private final Set<String> running;
    private final FaultInjector faults;
    private final OpenOptions open;
    /** Transactions of this process whose journal was left unfinished, by id: their devices, until recovered. */
    private final Map<String, Set<String>> unresolved;

    TransactionRunner(DeviceRegistry registry, Journal journal, DeviceLocks locks, Events events,
                      ExecutorService pool, Duration lockTimeout, Set<String> running,
                      Map<String, Set<String>> unresolved, FaultInjector faults) {
        this.faults = faults;
        this.unresolved = unresolved;
        this.open = OpenOptions.readWrite().decorated(faults::wrap);
        this.registry = registry;
        this.journal = journal;
        this.locks = locks;
        this.events = events;
        this.pool = pool;
        this.lockTimeout = lockTimeout;
        this.running = running;
    }

    /** How long a transaction waits for busy devices unless it says otherwise. */
    Duration defaultLockTimeout() {
        return lockTimeout;
    }

    TransactionResult run(List<SnapshotRequest> requests, Duration lockTimeout) throws IOException {
        String id = TransactionIds.next();
        Devices devices = new Devices(registry, open);
        Members members = Members.of(requests, devices);
        Set<String> names = members.devices();
        try {
            if (!locks.acquire(names, lockTimeout)) {
                return cancelled(id, members,
                        "devices are busy with another transaction (waited " + lockTimeout.toMillis() + " ms)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for devices", e);
        }
        String blocking = unresolvedOn(names);
        if (blocking != null) {
            locks.release(names);
            return cancelled(id, members, blocking);
        }
        running.add(id);
        Journal.Log begun = null;
        try {
            try (Journal.Log log = journal.begin(id, requests, System.currentTimeMillis())) {
                begun = log;
                faults.at("begin");
                events.emit(TransactionEvent.Kind.STARTED, id, null, null, null);
                Run run = new Run(id, members, log, new LiveStep(devices, log, faults, pool));
                run.prepareAll();
                TransactionResult r;
                try {
                    if (members.firstFailed() == null) {
                        run.live();
                    }
                    r = members.firstFailed() != null ? run.abort() : run.commit();
                } finally {
                    run.live.release(); // also when a commit or an abort threw: no VM is left paused
                }
                r = r.withVms(run.live.outcomes());
                events.emit(r.committed() ? TransactionEvent.Kind.COMMITTED : TransactionEvent.Kind.ABORTED,
                        id, null, null, r);
                return r;
            }
        } finally {
            try {
                devices.close();
            } catch (IOException ignored) {
                // closing releases locks; the outcome is already decided and journaled
            }
            if (begun != null && !begun.finished()) {
                unresolved.put(id, Set.copyOf(names)); // before the devices are free for the next transaction
            }
            running.remove(id);
            locks.release(names);
        }
    }

    /** Ended before it began: no device was touched. */
    private TransactionResult cancelled(String id, Members members, String reason) {
        members.setAll(Step.CANCELLED);
        TransactionResult r = members.result(id, TransactionStatus.ABORTED, null, reason);
        events.emit(TransactionEvent.Kind.ABORTED, id, null, null, r);
        return r;
    }

    /** Why these devices must wait for recover(), or null when none of them has an unfinished transaction. */
    private String unresolvedOn(Set<String> devices) {
        for (Map.Entry<String, Set<String>> u : unresolved.entrySet()) {
            for (String d : devices) {
                if (u.getValue().contains(d)) {
                    return d + ": transaction " + u.getKey() + " on this device did not finish (its rollback or"
                            + " commit is left to recovery): run recover() first";
                }
            }
        }
        return null;
    }

    /** Work on one device's members, in order. */
    private interface DeviceWork {
        void run(List<Member<?>> ofOneDevice) throws IOException;
    }

    /** What one device's work threw (an Error, or an interrupt while waiting for it). */
    private record Failure(List<Member<?>> members, Throwable cause) {
    }

    /** Runs {@code work} for every device at once (a device's members one after another) and waits for all. */
    private List<Failure> perDevice(Members members, DeviceWork work) {
        List<List<Member<?>>> groups = new ArrayList<>(members.byDevice());
        List<Future<?>> futures = new ArrayList<>();
        for (List<Member<?>> group : groups) {
            futures.add(pool.submit(() -> {
                work.run(group);
                return null;
            }));
        }
        List<Failure> failures = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            try {
                futures.get(g).get();
            } catch (ExecutionException e) {
                failures.add(new Failure(groups.get(g), e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(new Failure(groups.get(g), e));
            }
        }
        return failures;
    }

    /** One submitted transaction past its begin record. */
    private final class Run {
        private final String id;
        private final Members members;
        private final Journal.Log log;
        private final LiveStep live;

        Run(String id, Members members, Journal.Log log, LiveStep live) {
            this.id = id;
            this.members = members;
            this.log = log;
            this.live = live;
        }

        /**
         * Every member prepared: pauses the running VMs and sends each its QMP transaction. A VM that
         * fails fails the transaction, blamed on its member whose node QEMU names (else its first).
         */
        void live() {
            LiveStep.Failure f = live.run();
            if (f == null) {
                return;
            }
            Member<?> blamed = null;
            String message = Member.message(f.cause());
            for (Member<?> m : members.all()) {
                if (m.device instanceof LiveDisk d && d.session() == f.vm()) {
                    if (blamed == null || d.nodeNamed(message)) {
                        blamed = m;
                    }
                }
            }
            if (blamed == null) {
                blamed = members.get(0);
            }
            blamed.failed(f.cause());
        }

        void prepareAll() {
            for (Failure f : perDevice(members, this::prepare)) {
                if (f.cause() instanceof InterruptedException) {
                    f.members().get(0).error = "interrupted";
                } else {
                    // an Error escaped a prepare task: count it against the device's first unfinished member
                    f.members().stream().filter(m -> !m.prepareEnded).findFirst()
                            .orElse(f.members().get(0)).failed(f.cause());
                }
            }
        }

        private void prepare(List<Member<?>> ofOneDevice) {
            for (Member<?> m : ofOneDevice) {
                try {
                    m.prepare();
                    m.step = Step.CREATED;
                    log.append(JournalRecord.step(m.index, Step.CREATED, m.snapshotId, null), false);
                    faults.at("prepared:" + m.index);
                } catch (IOException | RuntimeException e) {
                    // the prepare, or the journal after it, failed: the abort undoes what it did
                    m.prepareEnded = true;
                    m.failed(e);
                    return;
                }
                m.prepareEnded = true;
                events.emit(TransactionEvent.Kind.STEP, id, m.request.device(), Step.CREATED, null);
            }
        }

        TransactionResult abort() throws IOException {
            Member<?> failed = members.firstFailed();
            boolean undone = true;
            for (Member<?> m : members.reversed()) {
                // A failed prepare may have done part of its work before it failed (an overlay file
                // created, say): its abort undoes whatever its own prepare did.
                boolean failedHere = m.step == Step.FAILED && m.prepareEnded;
                if (m.step == Step.CREATED || failedHere) {
                    try {
                        m.abort();
                        if (!failedHere) {
                            m.step = Step.INVALIDATED;
                            log.append(JournalRecord.step(m.index, Step.INVALIDATED, m.snapshotId, null), false);
                        }
                        faults.at("undone:" + m.index);
                    } catch (IOException | RuntimeException e) {
                        undone = false;
                        m.error = (failedHere ? m.error + "; " : "") + "undo failed: " + e.getMessage();
                    }
                    if (!failedHere) {
                        events.emit(TransactionEvent.Kind.STEP, id, m.request.device(), m.step, null);
                    }
                } else if (m.step == Step.STARTED) {
                    m.step = Step.CANCELLED;
                }
            }
            String device = failed.request.device();
            String reason = device + ": " + failed.error;
            live.release();
            if (undone) {
                log.finish(TransactionStatus.ABORTED, reason);
            } else {
                reason += "; some prepared requests could not be undone: recovery will finish the rollback";
            }
            return members.result(id, TransactionStatus.ABORTED, device, reason);
        }

        TransactionResult commit() throws IOException {
            log.append(JournalRecord.commit(), true);
            faults.at("commit");
            try {
                commitAll();
                if (members.pivot(registry)) {
                    faults.at("pivot");
                }
                members.finish(m -> faults.at("finished:" + m.index));
            } catch (IOException | RuntimeException e) {
                throw new IOException("transaction " + id + " is past its commit point but could not finish ("
                        + e.getMessage() + "); recovery will complete it", e);
            }
            live.release(); // only now: every snapshot a guest will run on is committed
            if (live.any()) {
                faults.at("resumed");
            }
            for (Member<?> m : members.all()) {
                m.step = Step.COMMITTED;
                log.append(JournalRecord.step(m.index, Step.COMMITTED, m.snapshotId, null), false);
                events.emit(TransactionEvent.Kind.STEP, id, m.request.device(), Step.COMMITTED, null);
            }
            log.finish(TransactionStatus.COMMITTED, null);
            faults.at("end");
            return members.result(id, TransactionStatus.COMMITTED, null, null);
        }

        /**
         * Past the durable commit record every member's commit is decided, so devices commit in
         * parallel (each device's members in order); recovery completes any a crash interrupts.
         */
        private void commitAll() throws IOException {
            List<Failure> failures = perDevice(members, ofOneDevice -> {
                for (Member<?> m : ofOneDevice) {
                    m.commit();
                    faults.at("committed:" + m.index);
                }
            });
            if (!failures.isEmpty()) {
                Throwable c = failures.get(0).cause();
                if (c instanceof InterruptedException) {
                    throw new IOException("interrupted while committing", c);
                }
                throw c instanceof IOException x ? x : new IOException(c.getMessage(), c);
            }
        }
    }
}
