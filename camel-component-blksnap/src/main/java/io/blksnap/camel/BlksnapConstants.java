package io.blksnap.camel;

import org.apache.camel.spi.Metadata;

/** The headers of the blksnap component. */
public final class BlksnapConstants {

    @Metadata(label = "producer", description = "The operation to perform; overrides the operation option.",
              javaType = "io.blksnap.camel.BlksnapOperations")
    public static final String OPERATION = "CamelBlksnapOperation";

    @Metadata(description = "In: the snapshot name for snapshot (overriding name and namePattern), delete and apply; "
                            + "overrides the name option. Out, after snapshot: the name the snapshot got.",
              javaType = "String")
    public static final String SNAPSHOT_NAME = "CamelBlksnapSnapshotName";

    @Metadata(label = "producer", description = "The snapshot type for snapshot; overrides the type option.",
              javaType = "io.blksnap.camel.BlksnapSnapshotType")
    public static final String TYPE = "CamelBlksnapType";

    @Metadata(description = "In: the transaction undo compensates; overrides the transactionId option. Out: the "
                            + "transaction the operation ran (snapshot, delete, apply), for undo the transaction it "
                            + "undid (unchanged), and on consumed events the transaction the event belongs to. "
                            + "Prune leaves it as it was (see CamelBlksnapPruneTransactionId).",
              javaType = "String")
    public static final String TRANSACTION_ID = "CamelBlksnapTransactionId";

    @Metadata(label = "producer", description = "Out, after a prune that deleted something: the transaction that "
                                                + "deleted the pruned snapshots. A header of its own, so that "
                                                + "CamelBlksnapTransactionId still names the snapshot a route took "
                                                + "before pruning, for a failure handler's undo.",
              javaType = "String")
    public static final String PRUNE_TRANSACTION_ID = "CamelBlksnapPruneTransactionId";

    @Metadata(label = "producer", description = "Whether prune only reports what it would delete; overrides the "
                                                + "dryRun option.",
              javaType = "Boolean")
    public static final String DRY_RUN = "CamelBlksnapDryRun";

    @Metadata(label = "producer", description = "The time recorded in the snapshots snapshot takes (and the time "
                                                + "namePattern formats), instead of the clock's now: an Instant, a "
                                                + "Date, epoch milliseconds or an ISO-8601 instant.",
              javaType = "java.time.Instant")
    public static final String SNAPSHOT_TIME = "CamelBlksnapSnapshotTime";

    @Metadata(description = "Out, with CamelBlksnapTransactionId: how that transaction ended (COMMITTED, ABORTED, "
                            + "ROLLED_BACK, ROLLED_FORWARD).",
              javaType = "String")
    public static final String TRANSACTION_STATUS = "CamelBlksnapTransactionStatus";

    @Metadata(label = "consumer", description = "The kind of a consumed event: STARTED, STEP, COMMITTED, ABORTED "
                                                + "or RECOVERED.",
              javaType = "String")
    public static final String EVENT_KIND = "CamelBlksnapEventKind";

    @Metadata(description = "Out: the group the operation or event concerns.", javaType = "String")
    public static final String GROUP = "CamelBlksnapGroup";

    private BlksnapConstants() {
    }
}
