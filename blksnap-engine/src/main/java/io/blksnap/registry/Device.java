package io.blksnap.registry;

import java.nio.file.Path;

/**
 * A virtual disk the engine may snapshot.
 *
 * @param image      its base image as configured; the active layer may have moved to an overlay
 * @param overlayDir the only directory external snapshots of this device may be created in
 * @param qmpSocket  the QMP socket of the QEMU running it, or null when it is offline
 */
public record Device(String name, Path image, Path overlayDir, Path qmpSocket) {
}
