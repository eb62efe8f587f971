package io.blksnap.txn;

import java.nio.file.Path;

/**
 * An external snapshot, as QEMU's {@code blockdev-snapshot-sync}: a new overlay file on top of
 * the device's active image, which the device then pivots to. With {@code useExisting} the
 * overlay was made beforehand and must already sit on the active image.
 */
public record ExternalSnapshotRequest(String device, Operation operation, Path overlay, String format,
                                      boolean useExisting) implements SnapshotRequest {

    public static ExternalSnapshotRequest create(String device, Path overlay) {
        return new ExternalSnapshotRequest(device, Operation.CREATE, overlay, "qcow2", false);
    }

    public static ExternalSnapshotRequest useExisting(String device, Path overlay) {
        return new ExternalSnapshotRequest(device, Operation.CREATE, overlay, "qcow2", true);
    }
}
