package io.blksnap.txn;

/** Where one request of a transaction stands (QEMU's prepare / commit / abort, made visible). */
public enum Step {
    /** Queued; prepare has not finished. */
    STARTED,
    /** Prepared: an internal snapshot made, an overlay created, a deletion validated. */
    CREATED,
    /** Its prepare failed: the reason the whole transaction aborted. */
    FAILED,
    /** Prepared, then undone because another request failed. */
    INVALIDATED,
    /** Never prepared, because the transaction aborted first. */
    CANCELLED,
    /** Committed: the snapshot exists, the deletion is done, the device pivoted. */
    COMMITTED
}
