package io.blksnap.camel;

import org.apache.camel.spi.Metadata;

/**
 * The headers of the blksnap component. Which out headers each operation sets is the table "Out headers and body
 * of each operation" of the component guide, which a test checks against what the producer really sets.
 */
public final class BlksnapConstants {

    @Metadata(label = "producer", description = "In: the operation to perform; overrides the operation option.",
              javaType = "io.blksnap.camel.BlksnapOperations")
    public static final String OPERATION = "CamelBlksnapOperation";

    @Metadata(description = "In: the snapshot name for snapshot (overriding name and namePattern), delete and apply; "
                            + "overrides the name option. Out, after snapshot: the name the snapshots got.",
              javaType = "String")
    public static final String SNAPSHOT_NAME = "CamelBlksnapSnapshotName";

    @Metadata(label = "producer", description = "In: the snapshot type for snapshot; overrides the type option.",
              javaType = "io.blksnap.camel.BlksnapSnapshotType")
    public static final String TYPE = "CamelBlksnapType";

    @Metadata(description = "In: the transaction undo compensates; overrides the transactionId option. Out: the "
                            + "transaction snapshot, delete or apply ran; list, undo, prune and catalog leave it as it "
                            + "was, so a failure handler's undo after a prune still undoes the snapshot. On consumed "
                            + "events: the event's transaction.",
              javaType = "String")
    public static final String TRANSACTION_ID = "CamelBlksnapTransactionId";

    @Metadata(label = "producer", description = "Out, after a prune that deleted snapshots: the transaction that "
                                                + "deleted them (CamelBlksnapTransactionId is left as it was).",
              javaType = "String")
    public static final String PRUNE_TRANSACTION_ID = "CamelBlksnapPruneTransactionId";

    @Metadata(label = "producer", description = "In: whether prune only reports what it would delete; overrides the "
                                                + "dryRun option.",
              javaType = "Boolean")
    public static final String DRY_RUN = "CamelBlksnapDryRun";

    @Metadata(label = "producer", description = "In: the time recorded in the snapshots snapshot takes (and the time "
                                                + "namePattern formats), instead of the clock's now: an Instant, a "
                                                + "Date, epoch milliseconds or an ISO-8601 instant.",
              javaType = "java.time.Instant")
    public static final String SNAPSHOT_TIME = "CamelBlksnapSnapshotTime";

    @Metadata(description = "Out: how the transaction of snapshot, delete, apply or a prune that deleted snapshots "
                            + "ended: COMMITTED (one that aborts fails the exchange with "
                            + "io.blksnap.camel.BlksnapTransactionAbortedException, which carries it). On COMMITTED, "
                            + "ABORTED and RECOVERED events: COMMITTED, ABORTED, ROLLED_BACK or ROLLED_FORWARD.",
              javaType = "String")
    public static final String TRANSACTION_STATUS = "CamelBlksnapTransactionStatus";

    @Metadata(label = "consumer", description = "On consumed events: the kind, STARTED, STEP, COMMITTED, ABORTED or "
                                                + "RECOVERED.",
              javaType = "String")
    public static final String EVENT_KIND = "CamelBlksnapEventKind";

    @Metadata(description = "Out, after every operation, and on consumed events: the endpoint's group.",
              javaType = "String")
    public static final String GROUP = "CamelBlksnapGroup";

    private BlksnapConstants() {
    }
}
