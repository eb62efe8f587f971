package io.blksnap.txn;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A group of snapshot requests that all happen or none do. Each request is checked when it is
 * added; {@link #submit} prepares all, then commits all, or undoes every prepared one.
 */
public final class Transaction {

    private final TransactionRunner runner;
    private final RequestValidator validator;
    private final List<SnapshotRequest> requests = new ArrayList<>();
    private boolean submitted;
    private Duration lockTimeout;

    Transaction(TransactionRunner runner, RequestValidator validator) {
        this.runner = runner;
        this.validator = validator;
        this.lockTimeout = runner.defaultLockTimeout();
    }

    /** Checks {@code request} now and queues it; a refused request queues nothing. */
    public Transaction add(SnapshotRequest request) throws InvalidRequestException {
        return addAll(List.of(request));
    }

    /**
     * Checks {@code batch} now, in order, and queues all of it, or none when one is refused. One
     * look at the devices serves the whole batch (a running VM's monitor is asked once, over one
     * connection, which is let go before this returns).
     */
    public synchronized Transaction addAll(List<? extends SnapshotRequest> batch) throws InvalidRequestException {
        if (submitted) {
            throw new IllegalStateException("transaction already submitted");
        }
        requests.addAll(validator.checkAll(batch, requests));
        return this;
    }

    /**
     * How long {@link #submit} waits for devices another transaction holds, for this transaction
     * only (by default the engine's {@link EngineOptions#lockTimeout()}); when it runs out the
     * transaction aborts with every request cancelled and nothing changed.
     */
    public synchronized Transaction lockTimeout(Duration timeout) {
        if (submitted) {
            throw new IllegalStateException("transaction already submitted");
        }
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("lock timeout must be zero or more, not " + timeout);
        }
        lockTimeout = timeout;
        return this;
    }

    public synchronized List<SnapshotRequest> requests() {
        return List.copyOf(requests);
    }

    public synchronized TransactionResult submit() throws IOException {
        if (submitted) {
            throw new IllegalStateException("transaction already submitted");
        }
        if (requests.isEmpty()) {
            throw new InvalidRequestException("transaction", "has no requests");
        }
        submitted = true;
        return runner.run(List.copyOf(requests), lockTimeout);
    }
}
