package io.blksnap.txn;

import java.time.Instant;

/**
 * One thing that happened to a transaction. {@code device} and {@code step} are set for STEP
 * events, {@code result} for the final ones.
 */
public record TransactionEvent(Kind kind, String transactionId, Instant time, String device, Step step,
                               TransactionResult result) {

    public enum Kind {
        STARTED,
        STEP,
        COMMITTED,
        ABORTED,
        RECOVERED
    }
}
