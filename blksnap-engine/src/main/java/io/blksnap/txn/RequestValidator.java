package io.blksnap.txn;

import io.blksnap.fs.AtomicFiles;
import io.blksnap.qcow2.ImageException;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotNames;
import io.blksnap.registry.Device;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.storage.FileStorage;
import io.blksnap.storage.ImageInUseException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The checks {@code add(request)} makes, each refusal with its reason; nothing here writes. */
final class RequestValidator {

    private final DeviceRegistry registry;

    RequestValidator(DeviceRegistry registry) {
        this.registry = registry;
    }

    void check(SnapshotRequest r, List<SnapshotRequest> queued) throws InvalidRequestException {
        String dev = r.device();
        if (dev == null || !registry.hasDevice(dev)) {
            throw new InvalidRequestException(String.valueOf(dev), "unknown device");
        }
        for (SnapshotRequest q : queued) {
            if (q.device().equals(dev) && !(deletion(q) && deletion(r))) {
                // several deletions on one device may share a transaction (pruning); nothing else may
                throw new InvalidRequestException(dev, "the device is already in this transaction");
            }
            if (q.device().equals(dev) && q.equals(r)) {
                throw new InvalidRequestException(dev, "the same deletion is already in this transaction");
            }
        }
        try {
            Device device = registry.device(dev);
            Path active = registry.activeImage(dev);
            if (!Files.isRegularFile(active)) {
                throw new InvalidRequestException(dev, "its image " + active + " does not exist");
            }
            if (!Files.isWritable(active) || markedReadOnly(active)) {
                throw new InvalidRequestException(dev, "its image " + active + " is read-only");
            }
            try (Qcow2Image img = Qcow2Image.open(active)) {
                if (img.needsRepair()) {
                    throw new InvalidRequestException(dev, "its image is marked corrupt or dirty; repair it first");
                }
                FileStorage.probeWritable(active);
                if (r instanceof InternalSnapshotRequest i) {
                    checkInternal(dev, i, img);
                } else if (r instanceof ExternalSnapshotRequest e) {
                    checkExternal(dev, e, device, active, img.virtualSize());
                }
            }
        } catch (InvalidRequestException e) {
            throw e;
        } catch (ImageInUseException e) {
            throw new InvalidRequestException(dev, e.getMessage());
        } catch (IOException e) {
            throw new InvalidRequestException(dev, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static boolean deletion(SnapshotRequest r) {
        return r instanceof InternalSnapshotRequest i && i.operation() == Operation.DELETE;
    }

    /** No write bit for anyone: the operator's way of saying "never change this", honoured even as root. */
    private static boolean markedReadOnly(Path p) throws IOException {
        try {
            return java.nio.file.Files.getPosixFilePermissions(p).stream().noneMatch(x ->
                    x == java.nio.file.attribute.PosixFilePermission.OWNER_WRITE
                            || x == java.nio.file.attribute.PosixFilePermission.GROUP_WRITE
                            || x == java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    private static void checkInternal(String dev, InternalSnapshotRequest r, Qcow2Image img)
            throws InvalidRequestException, ImageException {
        List<Snapshot> snapshots = img.snapshots();
        if (img.hasExternalDataFile()) {
            throw new InvalidRequestException(dev, "internal snapshots are not supported with an external data file");
        }
        if (r.operation() == Operation.CREATE) {
            if (r.id() != null) {
                throw new InvalidRequestException(dev, "a new snapshot's id is chosen by the image, not the request");
            }
            SnapshotNames.validate(r.name());
            for (Snapshot s : snapshots) {
                if (s.name().equals(r.name())) {
                    throw new InvalidRequestException(dev, "a snapshot named \"" + r.name() + "\" already exists");
                }
            }
        } else {
            if (r.name() == null && r.id() == null) {
                throw new InvalidRequestException(dev, "a deletion or apply needs a snapshot name or id");
            }
            if (InternalDeleteAction.find(r, snapshots) == null) {
                throw new InvalidRequestException(dev, (r.id() != null && r.name() != null
                        ? "no snapshot has id " + r.id() + " and name \"" + r.name() + "\""
                        : "snapshot \"" + (r.name() != null ? r.name() : r.id()) + "\" does not exist"));
            }
        }
    }

    private void checkExternal(String dev, ExternalSnapshotRequest r, Device device, Path active, long size)
            throws IOException {
        if (r.operation() == Operation.DELETE) {
            throw new InvalidRequestException(dev, "deleting an external snapshot (merging overlays) is not supported yet");
        }
        if (r.format() != null && !r.format().equals("qcow2")) {
            throw new InvalidRequestException(dev, "overlay format must be qcow2");
        }
        Path overlay = r.overlay();
        if (overlay == null || !overlay.isAbsolute() || !overlay.normalize().equals(overlay)) {
            throw new InvalidRequestException(dev, "overlay path must be absolute and normalized (no ..)");
        }
        if (!Files.isDirectory(device.overlayDir()) || !AtomicFiles.inside(overlay, device.overlayDir())) {
            throw new InvalidRequestException(dev, "overlay " + overlay + " is outside the device's overlay directory "
                    + device.overlayDir());
        }
        boolean exists = Files.exists(overlay, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (!r.useExisting()) {
            if (exists) {
                throw new InvalidRequestException(dev, "overlay " + overlay + " already exists");
            }
            return;
        }
        if (!exists) {
            throw new InvalidRequestException(dev, "existing overlay " + overlay + " does not exist");
        }
        try (Qcow2Image o = Qcow2Image.open(overlay)) {
            Path backing = o.backingFile() == null ? null : overlay.getParent().resolve(o.backingFile());
            if (backing == null || !Files.exists(backing) || !Files.isSameFile(backing, active)) {
                throw new InvalidRequestException(dev, "existing overlay " + overlay + " is not backed by " + active);
            }
            if (o.virtualSize() != size) {
                throw new InvalidRequestException(dev, "existing overlay " + overlay + " has size "
                        + o.virtualSize() + ", the device " + size);
            }
        }
    }
}
