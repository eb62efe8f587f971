package io.blksnap.camel;

/** The kind of snapshot the {@code snapshot} operation takes. */
public enum BlksnapSnapshotType {
    /** Inside each device's active qcow2 image. */
    internal,
    /** A new overlay in each device's overlay directory, {@code <device>-<name>.qcow2}, which the device pivots to. */
    external
}
