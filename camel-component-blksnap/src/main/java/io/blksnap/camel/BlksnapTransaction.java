package io.blksnap.camel;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.blksnap.txn.Step;
import io.blksnap.txn.TransactionResult;

/**
 * A transaction the component ran (the body of snapshot, delete, apply and undo), or the transaction of an
 * event.
 *
 * @param id           the transaction id (null only when the devices stayed busy past the timeout)
 * @param group        the group it ran on
 * @param operation    the component operation that ran it (null in events)
 * @param status       COMMITTED, ABORTED, ROLLED_BACK or ROLLED_FORWARD
 * @param committed    whether its changes are in place
 * @param failedDevice the device whose failure aborted it, or null
 * @param reason       why it aborted, or what an undo found to do
 * @param undoes       for undo: the transaction it compensated
 * @param outcomes     one per request, in request order
 */
@JsonPropertyOrder({ "id", "group", "operation", "status", "committed", "failedDevice", "reason", "undoes",
                     "outcomes" })
public record BlksnapTransaction(String id, String group, String operation, String status, boolean committed,
        String failedDevice, String reason, String undoes, List<BlksnapOutcome> outcomes) {

    static BlksnapTransaction of(String group, BlksnapOperations operation, TransactionResult r, String undoes) {
        return new BlksnapTransaction(ran(r) ? r.id() : null, group, operation == null ? null : operation.name(), r.status().name(),
                r.committed(), r.failedDevice(), r.reason(), undoes,
                r.outcomes().stream().map(BlksnapOutcome::of).toList());
    }

    /**
     * False when there is no transaction to name: an undo that found nothing to do (no outcomes), or a transaction
     * the engine gave up before it began (its devices stayed busy past the timeout, or await recovery: every
     * request CANCELLED, nothing journaled).
     */
    private static boolean ran(TransactionResult r) {
        return !r.outcomes().isEmpty()
               && (r.committed() || !r.outcomes().stream().allMatch(o -> o.step() == Step.CANCELLED));
    }
}
