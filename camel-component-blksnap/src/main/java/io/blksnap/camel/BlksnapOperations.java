package io.blksnap.camel;

/** What a {@code blksnap:} producer does with its group. */
public enum BlksnapOperations {
    /** Take a snapshot of every device of the group, in one transaction. */
    snapshot,
    /** Delete a named snapshot from every device of the group that has it, in one transaction. */
    delete,
    /** The group's snapshots, grouped by name across its devices. */
    list,
    /** Revert every device of the group to a named snapshot, in one transaction. */
    apply,
    /** Compensate an earlier snapshot transaction (idempotent). */
    undo,
    /** Apply a retention policy to the group's snapshots, in one transaction. */
    prune,
    /** The group's metadata document: devices, image chains, snapshots and their transactions. */
    catalog
}
