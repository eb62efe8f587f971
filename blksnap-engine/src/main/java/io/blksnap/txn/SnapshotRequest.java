package io.blksnap.txn;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** One member of a transaction: an internal or external snapshot of one device, to create or delete. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = InternalSnapshotRequest.class, name = "internal"),
    @JsonSubTypes.Type(value = ExternalSnapshotRequest.class, name = "external")
})
public sealed interface SnapshotRequest permits InternalSnapshotRequest, ExternalSnapshotRequest {

    String device();

    Operation operation();
}
