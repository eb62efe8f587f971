package io.blksnap.txn;

import java.nio.file.Path;

/**
 * An external snapshot, as QEMU's {@code blockdev-snapshot-sync}: a new overlay file on top of
 * the device's active image, which the device then pivots to. With {@code useExisting} the
 * overlay was made beforehand and must already sit on the active image. A point is named by the
 * overlay its create made (the point is that overlay's backing image): {@link #delete} merges the
 * overlay away, {@link #apply} reverts the device to the point.
 */
public record ExternalSnapshotRequest(String device, Operation operation, Path overlay, String format,
                                      boolean useExisting) implements SnapshotRequest {

    public static ExternalSnapshotRequest create(String device, Path overlay) {
        return new ExternalSnapshotRequest(device, Operation.CREATE, overlay, "qcow2", false);
    }

    public static ExternalSnapshotRequest delete(String device, Path overlay) {
        return new ExternalSnapshotRequest(device, Operation.DELETE, overlay, "qcow2", false);
    }

    public static ExternalSnapshotRequest apply(String device, Path overlay) {
        return new ExternalSnapshotRequest(device, Operation.APPLY, overlay, "qcow2", false);
    }

    public static ExternalSnapshotRequest useExisting(String device, Path overlay) {
        return new ExternalSnapshotRequest(device, Operation.CREATE, overlay, "qcow2", true);
    }
}
