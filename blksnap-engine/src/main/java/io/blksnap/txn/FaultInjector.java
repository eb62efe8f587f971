package io.blksnap.txn;

import io.blksnap.storage.Storage;

/**
 * The seam tests use to fail or kill the engine at a chosen point: every named step of a
 * transaction calls {@link #at}, and every image write of a transaction or of recovery goes
 * through {@link #wrap}'s storage. Production code uses {@link #NONE}.
 */
public interface FaultInjector {

    FaultInjector NONE = new FaultInjector() {
    };

    /**
     * Called at each step: "begin", "prepared:N", "undone:N", "commit", "committed:N", "pivot",
     * "finished:N" (a member removed layers past the pivot), "end"; with running VMs also "live"
     * (their journal record written), "paused", "vm:K" (VM K's QMP transaction made) and "resumed";
     * and by recovery at "recovered", when a transaction's images are resolved but its journal not yet ended.
     */
    default void at(String point) throws java.io.IOException {
    }

    default Storage wrap(Storage storage) {
        return storage;
    }
}
