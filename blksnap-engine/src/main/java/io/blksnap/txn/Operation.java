package io.blksnap.txn;

/** What a request does to its snapshot. */
public enum Operation {
    CREATE,
    DELETE,
    /** Revert the device to the snapshot (internal snapshots only). */
    APPLY
}
