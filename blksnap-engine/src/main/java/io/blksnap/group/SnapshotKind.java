package io.blksnap.group;

/** Where a group snapshot lives: inside each image, or as a new overlay every device pivots to. */
public enum SnapshotKind {
    INTERNAL,
    EXTERNAL
}
