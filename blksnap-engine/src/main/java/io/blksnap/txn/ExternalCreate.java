package io.blksnap.txn;

import io.blksnap.fs.AtomicFiles;
import io.blksnap.qcow2.CreateOptions;
import io.blksnap.qcow2.Qcow2Image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * An external snapshot (the point is the image it freezes, the overlay's backing file): prepare
 * creates the overlay on top of the active image (holding both, so no QEMU writes either meanwhile); the commit pivots the device to it (for all devices at once,
 * by the runner); abort and recovery before the commit point remove an overlay it created. On a
 * running VM's disk prepare also has QEMU open the overlay and stages the switch to it into the
 * VM's QMP transaction; abort and recovery first have QEMU let go of it (merging it back if the
 * switch was made).
 */
final class ExternalCreate extends ExternalMember {

    private boolean created;

    ExternalCreate(int index, ExternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    @Override
    void check() throws IOException {
        if (device.live() && request.useExisting()) {
            throw refused("a running VM's disk switches only to an overlay the engine creates");
        }
        checkOverlayPath();
        Path overlay = request.overlay();
        boolean exists = Files.exists(overlay, LinkOption.NOFOLLOW_LINKS);
        if (!request.useExisting()) {
            if (exists) {
                throw refused("overlay " + overlay + " already exists");
            }
            return;
        }
        if (!exists) {
            throw refused("existing overlay " + overlay + " does not exist");
        }
        Path active = device.activeImage();
        long size = device.virtualSize();
        try (Qcow2Image o = Qcow2Image.open(overlay)) {
            Path backing = o.backingFile() == null ? null : overlay.getParent().resolve(o.backingFile());
            if (backing == null || !Files.exists(backing) || !Files.isSameFile(backing, active)) {
                throw refused("existing overlay " + overlay + " is not backed by " + active);
            }
            if (o.virtualSize() != size) {
                throw refused("existing overlay " + overlay + " has size " + o.virtualSize() + ", the device " + size);
            }
        }
    }

    @Override
    void prepare() throws IOException {
        device.hold();
        if (!request.useExisting()) {
            Qcow2Image.create(request.overlay(),
                    CreateOptions.ofSize(-1).withBacking(device.activeImage().toString(), "qcow2"));
            created = true;
            AtomicFiles.syncDirectory(request.overlay().toAbsolutePath().getParent());
        }
        device.holdOverlay(request.overlay());
        if (device.live()) {
            device.stageOverlay(request.overlay());
        }
    }

    @Override
    void commit() {
        // the pivot is written for all devices at once by the runner
    }

    @Override
    void abort() throws IOException {
        device.releaseOverlay(request.overlay());
        device.detachOverlay(request.overlay());
        if (created) {
            removeLayer(request.overlay());
        }
    }

    /** An overlay the device does not use yet is ours to remove; one it is on already is past the commit. */
    @Override
    boolean rollBack() throws IOException {
        if (request.useExisting() || device.activeImage().equals(pivotTo())) {
            return false;
        }
        boolean detached = device.detachOverlay(request.overlay());
        return removeLayer(request.overlay()) || detached;
    }

    /** The device moved to the overlay: the pivot, the last step past the commit record, happened. */
    @Override
    boolean switched() throws IOException {
        return device.activeImage().equals(pivotTo());
    }

    @Override
    void rollForward() throws IOException {
        if (!Files.exists(request.overlay())) {
            throw new IOException("overlay " + request.overlay() + " of committed transaction is missing");
        }
    }

    /**
     * Deleting the point it made ({@link ExternalDelete}): the overlay merged into the image below
     * it (nothing to merge when nothing was written to it) and removed, the device pivoted back
     * when it is still the active image. Nothing, when the overlay has left the device's chain.
     */
    @Override
    SnapshotRequest compensation(String transactionId) throws IOException {
        if (!device.chain().contains(pivotTo())) {
            return null;
        }
        return ExternalSnapshotRequest.delete(request.device(), pivotTo());
    }

    @Override
    Path pivotTo() {
        return request.overlay().toAbsolutePath().normalize();
    }
}
