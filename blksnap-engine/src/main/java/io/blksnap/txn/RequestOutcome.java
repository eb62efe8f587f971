package io.blksnap.txn;

/**
 * What became of one request.
 *
 * @param snapshotId the id of the internal snapshot created or deleted, when there is one; for an
 *                   external delete or revert, the evidence recovery checks (the merge's header
 *                   mark, the new overlay's file identity)
 * @param error      why this request failed, or null
 */
public record RequestOutcome(String device, SnapshotRequest request, Step step, String snapshotId, String error) {
}
