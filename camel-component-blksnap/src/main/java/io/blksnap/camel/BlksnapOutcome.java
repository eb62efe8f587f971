package io.blksnap.camel;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.blksnap.txn.ExternalSnapshotRequest;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.RequestOutcome;
import io.blksnap.txn.SnapshotRequest;
import io.blksnap.txn.Step;

/**
 * What became of one device's request in a transaction.
 *
 * @param type       internal or external
 * @param operation  CREATE, DELETE or APPLY
 * @param name       the internal snapshot's name (null for external)
 * @param overlay    the external snapshot's overlay file (null for internal)
 * @param step       STARTED, CREATED, FAILED, INVALIDATED, CANCELLED or COMMITTED
 * @param snapshotId the id of the internal snapshot made or deleted, when there is one
 * @param error      why this device's request failed, or null
 */
@JsonPropertyOrder({ "device", "type", "operation", "name", "overlay", "step", "snapshotId", "error" })
public record BlksnapOutcome(String device, String type, String operation, String name, String overlay, String step,
        String snapshotId, String error) {

    static BlksnapOutcome of(RequestOutcome o) {
        return of(o.request(), o.step(), o.snapshotId(), o.error());
    }

    static BlksnapOutcome of(SnapshotRequest r, Step step, String snapshotId, String error) {
        String name = r instanceof InternalSnapshotRequest i ? i.name() : null;
        String overlay = r instanceof ExternalSnapshotRequest e && e.overlay() != null ? e.overlay().toString() : null;
        return new BlksnapOutcome(r.device(), r instanceof InternalSnapshotRequest ? "internal" : "external",
                r.operation().name(), name, overlay, step.name(), snapshotId, error);
    }
}
