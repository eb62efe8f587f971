package io.blksnap.camel;

import java.util.List;

/**
 * The transaction failed and was rolled back: every device is as it was. It carries the transaction with each
 * device's outcome: the one that {@code FAILED}, those {@code INVALIDATED} (prepared, then undone) and those
 * {@code CANCELLED} (never prepared).
 */
public class BlksnapTransactionAbortedException extends BlksnapException {

    private static final long serialVersionUID = 1L;

    private final transient BlksnapTransaction transaction;

    public BlksnapTransactionAbortedException(BlksnapTransaction transaction) {
        super("blksnap transaction " + transaction.id() + " on group " + transaction.group() + " aborted: "
              + transaction.reason());
        this.transaction = transaction;
    }

    public BlksnapTransaction getTransaction() {
        return transaction;
    }

    /** The transaction's id, or null when it never started (its devices stayed busy past the timeout). */
    public String getTransactionId() {
        return transaction.id();
    }

    public String getFailedDevice() {
        return transaction.failedDevice();
    }

    public String getReason() {
        return transaction.reason();
    }

    public List<BlksnapOutcome> getOutcomes() {
        return transaction.outcomes();
    }
}
