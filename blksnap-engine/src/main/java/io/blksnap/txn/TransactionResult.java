package io.blksnap.txn;

import java.util.List;

/**
 * The outcome of a submitted transaction: every request's step and, when it aborted, which
 * device failed and why; for running VMs it paused, each VM's pause window and freeze.
 */
public record TransactionResult(String id, TransactionStatus status, List<RequestOutcome> outcomes,
                                String failedDevice, String reason, List<VmOutcome> vms) {

    public TransactionResult(String id, TransactionStatus status, List<RequestOutcome> outcomes, String failedDevice,
                             String reason) {
        this(id, status, outcomes, failedDevice, reason, List.of());
    }

    public boolean committed() {
        return status == TransactionStatus.COMMITTED || status == TransactionStatus.ROLLED_FORWARD;
    }

    /** The longest pause window of any VM, in milliseconds (0 when no VM was paused). */
    public double longestPauseMillis() {
        return vms.stream().mapToDouble(VmOutcome::pauseMillis).max().orElse(0);
    }

    TransactionResult withVms(List<VmOutcome> vms) {
        return new TransactionResult(id, status, outcomes, failedDevice, reason, List.copyOf(vms));
    }
}
