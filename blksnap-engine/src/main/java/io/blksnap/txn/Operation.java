package io.blksnap.txn;

/** What a request does to its snapshot. */
public enum Operation {
    CREATE,
    DELETE
}
