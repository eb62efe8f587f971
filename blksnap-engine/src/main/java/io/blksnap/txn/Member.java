package io.blksnap.txn;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One request's part in a transaction, as QEMU's per-action state with its driver: the request,
 * the device it reaches, and where it stands (step, error, the id of the snapshot it made or
 * removes). Each request kind is one subclass that holds everything about that kind: the checks of
 * {@code add}, prepare / commit / abort, the roll back or forward after a crash, and its undo.
 * {@link Members#of(int, SnapshotRequest, DeviceAccess)} is the only place that tells kinds apart.
 */
abstract class Member<R extends SnapshotRequest> {

    /** Its position in the transaction (the journal's and the fault points' request number). */
    final int index;
    final R request;
    final DeviceAccess device;
    Step step = Step.STARTED;
    String error;
    String snapshotId;
    /** Its prepare ran to its end, with success or not (a failed one may have done part of its work). */
    boolean prepareEnded;

    Member(int index, R request, DeviceAccess device) {
        this.index = index;
        this.request = request;
        this.device = device;
    }

    /** {@code add}: refuses a request this kind cannot do on the device now, reading only. */
    abstract void check() throws IOException;

    /** Whether {@code other}, on the same device, may share the transaction with this request. */
    boolean sharesDeviceWith(SnapshotRequest other) {
        return false;
    }

    /** Does (or validates) the work, everything that can fail; sets {@link #snapshotId} once known. */
    abstract void prepare() throws IOException;

    /** Makes the prepared work final; runs only past the durable commit record. */
    abstract void commit() throws IOException;

    /** Undoes what this member's prepare did, also a prepare that failed part-way. */
    abstract void abort() throws IOException;

    /**
     * Recovery, before the commit record: removes what a prepare may have left, looking at the
     * device first; true when it removed something.
     */
    abstract boolean rollBack() throws IOException;

    /**
     * Recovery without a commit record: whether the device shows this member's change made. Nothing
     * is switched before the commit record, so a change made proves the record was reached (and
     * lost): recovery then rolls forward instead of back.
     */
    boolean switched() throws IOException {
        return false;
    }

    /**
     * Recovery, past the commit record: does the commit where it is not done yet ({@link #snapshotId}
     * is the journal's).
     */
    abstract void rollForward() throws IOException;

    /**
     * Undo of committed transaction {@code transactionId}: the request that compensates this one, or
     * null when nothing of it is left; refuses (InvalidRequestException) a kind that cannot be undone.
     */
    abstract SnapshotRequest compensation(String transactionId) throws IOException;

    /**
     * Past the commit and the pivot: removes what the change left in no chain (an overlay merged
     * away, layers a revert left); looks first, so it can run again. True when it removed something.
     */
    boolean finish() throws IOException {
        return false;
    }

    /** The image the device moves to once committed (external snapshots), else null. */
    Path pivotTo() {
        return null;
    }

    /** Its prepare threw: the reason the transaction aborts. */
    void failed(Throwable e) {
        error = message(e);
        step = Step.FAILED;
    }

    RequestOutcome outcome() {
        return new RequestOutcome(request.device(), request, step, snapshotId, error);
    }

    static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
