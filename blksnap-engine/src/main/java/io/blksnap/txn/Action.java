package io.blksnap.txn;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One request's part in a transaction, in QEMU's terms: prepare does (or validates) the work,
 * commit makes it final, abort undoes a prepare. Images stay open (and QEMU-locked) between, in
 * the transaction's {@link ImagePool}.
 */
interface Action {

    SnapshotRequest request();

    void prepare() throws IOException;

    void commit() throws IOException;

    void abort() throws IOException;

    /** The internal snapshot this action made or removes, once known. */
    default String snapshotId() {
        return null;
    }

    /** The image the device moves to on commit, for external snapshots. */
    default Path pivotTo() {
        return null;
    }
}
