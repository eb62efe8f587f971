package io.blksnap.registry;

import java.nio.file.Path;

/**
 * A virtual disk the engine may snapshot.
 *
 * @param image      its base image as configured; the active layer may have moved to an overlay
 * @param overlayDir the only directory external snapshots of this device may be created in
 * @param qmpSocket  the QMP socket of the QEMU running it, or null when it is offline
 * @param node       with a qmpSocket: its block node name in that QEMU, or a device (BlockBackend) name
 * @param guestAgentSocket with a qmpSocket, optionally: the host side of the guest agent's channel,
 *                   for freezing the guest's file systems around a snapshot
 */
public record Device(String name, Path image, Path overlayDir, Path qmpSocket, String node, Path guestAgentSocket) {

    /** An offline device: blksnap opens its image itself. */
    public Device(String name, Path image, Path overlayDir) {
        this(name, image, overlayDir, null, null, null);
    }

    /** A disk of a running VM: reached only through QEMU while it runs. */
    public boolean live() {
        return qmpSocket != null;
    }
}
