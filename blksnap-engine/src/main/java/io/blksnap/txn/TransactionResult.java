package io.blksnap.txn;

import java.util.List;

/**
 * The outcome of a submitted transaction: every request's step and, when it aborted, which
 * device failed and why.
 */
public record TransactionResult(String id, TransactionStatus status, List<RequestOutcome> outcomes,
                                String failedDevice, String reason) {

    public boolean committed() {
        return status == TransactionStatus.COMMITTED || status == TransactionStatus.ROLLED_FORWARD;
    }
}
