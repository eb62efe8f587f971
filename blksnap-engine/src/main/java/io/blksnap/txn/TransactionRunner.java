package io.blksnap.txn;

import io.blksnap.qcow2.OpenOptions;
import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Runs a submitted transaction: lock the devices, journal the intent, prepare every request
 * (in parallel), then either journal the commit and commit every request, or undo every
 * prepared request in reverse order.
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

    /** {@code timeout}: how long to wait for the devices; null for the engine-wide lock timeout. */
    TransactionResult run(List<SnapshotRequest> requests, Duration timeout) throws IOException {
        Duration lockTimeout = timeout != null ? timeout : this.lockTimeout;
        String id = TransactionIds.next();
        Set<String> devices = new LinkedHashSet<>();
        requests.forEach(r -> devices.add(r.device()));
        int n = requests.size();
        Step[] steps = new Step[n];
        String[] errors = new String[n];
        String[] ids = new String[n];
        try {
            if (!locks.acquire(devices, lockTimeout)) {
                java.util.Arrays.fill(steps, Step.CANCELLED);
                TransactionResult r = result(id, TransactionStatus.ABORTED, requests, steps, ids, errors, null,
                        "devices are busy with another transaction (waited " + lockTimeout.toMillis() + " ms)");
                events.emit(TransactionEvent.Kind.ABORTED, id, null, null, r);
                return r;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for devices", e);
        }
        String blocking = unresolvedOn(devices);
        if (blocking != null) {
            locks.release(devices);
            java.util.Arrays.fill(steps, Step.CANCELLED);
            TransactionResult r = result(id, TransactionStatus.ABORTED, requests, steps, ids, errors, null, blocking);
            events.emit(TransactionEvent.Kind.ABORTED, id, null, null, r);
            return r;
        }
        running.add(id);
        List<Action> actions = new ArrayList<>();
        ImagePool images = new ImagePool(open);
        Journal.Log begun = null;
        try {
            for (SnapshotRequest r : requests) {
                actions.add(action(r, images));
            }
            java.util.Arrays.fill(steps, Step.STARTED);
            try (Journal.Log log = journal.begin(id, requests, System.currentTimeMillis())) {
                begun = log;
                faults.at("begin");
                events.emit(TransactionEvent.Kind.STARTED, id, null, null, null);
                boolean[] finished = new boolean[n];
                prepareAll(actions, log, id, steps, errors, ids, finished);
                TransactionResult r = anyFailed(errors)
                        ? abort(id, requests, actions, log, steps, errors, ids, finished)
                        : commit(id, requests, actions, log, steps, errors, ids);
                events.emit(r.committed() ? TransactionEvent.Kind.COMMITTED : TransactionEvent.Kind.ABORTED,
                        id, null, null, r);
                return r;
            }
        } finally {
            try {
                images.close();
            } catch (IOException ignored) {
                // closing releases locks; the outcome is already decided and journaled
            }
            if (begun != null && !begun.finished()) {
                unresolved.put(id, Set.copyOf(devices)); // before the devices are free for the next transaction
            }
            running.remove(id);
            locks.release(devices);
        }
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

    private Action action(SnapshotRequest r, ImagePool images) throws IOException {
        Path active = registry.activeImage(r.device());
        if (r instanceof InternalSnapshotRequest i) {
            return switch (i.operation()) {
                case CREATE -> new InternalCreateAction(i, active, images);
                case DELETE -> new InternalDeleteAction(i, active, images);
                case APPLY -> new InternalApplyAction(i, active, images);
            };
        }
        return new ExternalCreateAction((ExternalSnapshotRequest) r, active, images);
    }

    /**
     * Devices are prepared in parallel; the requests of one device in order, one after another.
     * {@code finished[i]}: request i's prepare ran to its end, with success or not.
     */
    private void prepareAll(List<Action> actions, Journal.Log log, String id, Step[] steps, String[] errors,
                            String[] ids, boolean[] finished) {
        Map<String, List<Integer>> byDevice = new LinkedHashMap<>();
        for (int i = 0; i < actions.size(); i++) {
            byDevice.computeIfAbsent(actions.get(i).request().device(), d -> new ArrayList<>()).add(i);
        }
        List<Future<?>> futures = new ArrayList<>();
        for (List<Integer> indexes : byDevice.values()) {
            futures.add(pool.submit(() -> {
                for (int k : indexes) {
                    Action a = actions.get(k);
                    try {
                        a.prepare();
                        ids[k] = a.snapshotId();
                        steps[k] = Step.CREATED;
                        log.append(JournalRecord.step(k, Step.CREATED, ids[k], null), false);
                        faults.at("prepared:" + k);
                    } catch (IOException | RuntimeException e) {
                        // the prepare, or the journal after it, failed: the abort undoes what it did
                        finished[k] = true;
                        errors[k] = e.getMessage() != null ? e.getMessage() : e.toString();
                        steps[k] = Step.FAILED;
                        return null;
                    }
                    finished[k] = true;
                    events.emit(TransactionEvent.Kind.STEP, id, a.request().device(), Step.CREATED, null);
                }
                return null;
            }));
        }
        int f = 0;
        for (List<Integer> indexes : byDevice.values()) {
            try {
                futures.get(f++).get();
            } catch (ExecutionException e) {
                // an Error escaped a prepare task: count it against the device's first unfinished request
                Throwable c = e.getCause();
                int k = indexes.stream().filter(i -> !finished[i]).findFirst().orElse(indexes.get(0));
                errors[k] = c.getMessage() != null ? c.getMessage() : c.toString();
                steps[k] = Step.FAILED;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                errors[indexes.get(0)] = "interrupted";
            }
        }
    }

    private TransactionResult abort(String id, List<SnapshotRequest> requests, List<Action> actions, Journal.Log log,
                                    Step[] steps, String[] errors, String[] ids, boolean[] finished)
            throws IOException {
        int failed = -1;
        for (int i = 0; i < errors.length; i++) {
            if (errors[i] != null) {
                failed = i;
                break;
            }
        }
        boolean undone = true;
        for (int i = actions.size() - 1; i >= 0; i--) {
            // A failed prepare may have done part of its work before it failed (an overlay file
            // created, say): its abort undoes whatever its own prepare did.
            boolean failedHere = steps[i] == Step.FAILED && finished[i];
            if (steps[i] == Step.CREATED || failedHere) {
                try {
                    actions.get(i).abort();
                    if (!failedHere) {
                        steps[i] = Step.INVALIDATED;
                        log.append(JournalRecord.step(i, Step.INVALIDATED, ids[i], null), false);
                    }
                    faults.at("undone:" + i);
                } catch (IOException | RuntimeException e) {
                    undone = false;
                    errors[i] = (failedHere ? errors[i] + "; " : "") + "undo failed: " + e.getMessage();
                }
                if (!failedHere) {
                    events.emit(TransactionEvent.Kind.STEP, id, requests.get(i).device(), steps[i], null);
                }
            } else if (steps[i] == Step.STARTED) {
                steps[i] = Step.CANCELLED;
            }
        }
        String device = requests.get(failed).device();
        String reason = device + ": " + errors[failed];
        if (undone) {
            log.finish(TransactionStatus.ABORTED, reason);
        } else {
            reason += "; some prepared requests could not be undone: recovery will finish the rollback";
        }
        return result(id, TransactionStatus.ABORTED, requests, steps, ids, errors, device, reason);
    }

    private TransactionResult commit(String id, List<SnapshotRequest> requests, List<Action> actions, Journal.Log log,
                                     Step[] steps, String[] errors, String[] ids) throws IOException {
        log.append(JournalRecord.commit(), true);
        faults.at("commit");
        Map<String, Path> pivots = new LinkedHashMap<>();
        try {
            commitAll(actions);
            for (Action a : actions) {
                if (a.pivotTo() != null) {
                    pivots.put(a.request().device(), a.pivotTo());
                }
            }
            if (!pivots.isEmpty()) {
                registry.pivot(pivots);
                faults.at("pivot");
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException("transaction " + id + " is past its commit point but could not finish ("
                    + e.getMessage() + "); recovery will complete it", e);
        }
        for (int i = 0; i < actions.size(); i++) {
            steps[i] = Step.COMMITTED;
            log.append(JournalRecord.step(i, Step.COMMITTED, ids[i], null), false);
            events.emit(TransactionEvent.Kind.STEP, id, requests.get(i).device(), Step.COMMITTED, null);
        }
        log.finish(TransactionStatus.COMMITTED, null);
        faults.at("end");
        return result(id, TransactionStatus.COMMITTED, requests, steps, ids, errors, null, null);
    }

    /**
     * Past the durable commit record every request's commit is decided, so devices commit in
     * parallel (each device's requests in order); recovery completes any a crash interrupts.
     */
    private void commitAll(List<Action> actions) throws IOException {
        Map<String, List<Integer>> byDevice = new LinkedHashMap<>();
        for (int i = 0; i < actions.size(); i++) {
            byDevice.computeIfAbsent(actions.get(i).request().device(), d -> new ArrayList<>()).add(i);
        }
        List<Future<?>> futures = new ArrayList<>();
        for (List<Integer> indexes : byDevice.values()) {
            futures.add(pool.submit(() -> {
                for (int k : indexes) {
                    actions.get(k).commit();
                    faults.at("committed:" + k);
                }
                return null;
            }));
        }
        IOException first = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                IOException io = c instanceof IOException x ? x : new IOException(c.getMessage(), c);
                first = first == null ? io : first;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                first = first == null ? new IOException("interrupted while committing", e) : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static boolean anyFailed(String[] errors) {
        for (String e : errors) {
            if (e != null) {
                return true;
            }
        }
        return false;
    }

    static TransactionResult result(String id, TransactionStatus status, List<SnapshotRequest> requests, Step[] steps,
                                    String[] ids, String[] errors, String failedDevice, String reason) {
        List<RequestOutcome> out = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            out.add(new RequestOutcome(requests.get(i).device(), requests.get(i), steps[i], ids[i], errors[i]));
        }
        return new TransactionResult(id, status, List.copyOf(out), failedDevice, reason);
    }
}
