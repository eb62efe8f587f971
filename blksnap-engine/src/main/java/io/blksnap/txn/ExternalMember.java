package io.blksnap.txn;

import io.blksnap.fs.AtomicFiles;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.Snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the external kinds share: an overlay file in the device's overlay directory (the request's
 * {@code overlay}), the layers of the device's chain around it, and removing a layer no chain uses.
 */
abstract class ExternalMember extends Member<ExternalSnapshotRequest> {

    ExternalMember(int index, ExternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    InvalidRequestException refused(String reason) {
        return new InvalidRequestException(request.device(), reason);
    }

    /** The request's overlay, absolute and normalized. */
    Path overlay() {
        return request.overlay().toAbsolutePath().normalize();
    }

    /** Refuses an overlay path outside the device's overlay directory, or not absolute and normalized. */
    /** Why deleting or reverting to an external point is refused on a running VM's disk (for now). */
    static final String NOT_LIVE = "deleting or reverting to an external snapshot of a running VM's disk is not"
            + " supported yet (it needs a live block-commit): shut the VM down and do it offline";

    void checkOverlayPath() throws IOException {
        if (request.format() != null && !request.format().equals("qcow2")) {
            throw refused("overlay format must be qcow2");
        }
        Path overlay = request.overlay();
        if (overlay == null || !overlay.isAbsolute() || !overlay.normalize().equals(overlay)) {
            throw refused("overlay path must be absolute and normalized (no ..)");
        }
        Path dir = device.overlayDir();
        if (!Files.isDirectory(dir) || !AtomicFiles.inside(overlay, dir)) {
            throw refused("overlay " + overlay + " is outside the device's overlay directory " + dir);
        }
    }

    /**
     * Refuses when an image other than {@code expected} (the device's own, or null for none) is
     * backed by {@code layer}: another device or a kept branch reads through it.
     */
    void refuseOtherUsers(Path layer, Path expected) throws IOException {
        for (Path user : device.backedBy(layer)) {
            if (expected == null || !Files.isSameFile(user, expected)) {
                throw refused(layer + " is also the backing file of " + user
                        + " (another device or a kept branch), which reads through it");
            }
        }
    }

    /** Refuses removing {@code layer} while it holds internal snapshots: they would go with it. */
    void refuseInternalSnapshots(Path layer) throws IOException {
        try (Qcow2Image img = Qcow2Image.open(layer)) {
            List<Snapshot> inside = img.snapshots();
            if (!inside.isEmpty()) {
                throw refused(layer + " holds internal snapshots (" + inside.stream().map(Snapshot::name).toList()
                        + "), which removing it would lose; delete them first");
            }
        }
    }

    /** Removes {@code layer} (let go of first) and syncs its directory; false when it was gone. */
    boolean removeLayer(Path layer) throws IOException {
        device.releaseOverlay(layer);
        boolean removed = Files.deleteIfExists(layer);
        if (removed) {
            AtomicFiles.syncDirectory(layer.toAbsolutePath().getParent());
        }
        return removed;
    }

    /** The layers of {@code chain} above {@code layer}, nearest first. */
    static List<Path> above(List<Path> chain, Path layer) {
        List<Path> out = new java.util.ArrayList<>(chain.subList(0, Math.max(0, chain.indexOf(layer))));
        java.util.Collections.reverse(out);
        return out;
    }
}
