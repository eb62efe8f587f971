package io.blksnap.txn;

/** How a transaction ended. */
public enum TransactionStatus {
    COMMITTED,
    ABORTED,
    /** Ended by recovery after a crash, before its commit point: nothing of it remains. */
    ROLLED_BACK,
    /** Ended by recovery after a crash, past its commit point: completed. */
    ROLLED_FORWARD
}
