package io.blksnap.txn;

import io.blksnap.registry.Device;
import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The checks {@code add(request)} makes, each refusal with its reason; nothing here writes. Only
 * what every kind shares is here (a known device, once per transaction, usable now); the rest is
 * the kind's own {@link Member#check}.
 */
final class RequestValidator {

    private final DeviceRegistry registry;

    RequestValidator(DeviceRegistry registry) {
        this.registry = registry;
    }

    /**
     * A device whose image is, through a symlink or another spelling of its path, the image of a
     * device already in the transaction is that device: refused (the runner's locks, journal and
     * open images go by device name, and would take the one file for two).
     */
    private void refuseAlias(String dev, List<SnapshotRequest> queued) throws IOException {
        Path mine = realPath(registry.activeImage(dev));
        if (mine == null) {
            return; // a missing image is refused by checkUsable
        }
        for (SnapshotRequest q : queued) {
            if (!q.device().equals(dev) && mine.equals(realPath(registry.activeImage(q.device())))) {
                throw new InvalidRequestException(dev, "its image " + mine + " is the image of device \""
                        + q.device() + "\", which is already in this transaction");
            }
        }
    }

    /** Whether {@code r} asks to save its VM's memory. */
    private static boolean memory(SnapshotRequest r) {
        return r instanceof InternalSnapshotRequest i && i.withMemory();
    }

    /**
     * Memory goes with a create on a running VM's disk, and one VM is saved whole or not at all:
     * every device of that VM in the transaction asks for it, or none does (QEMU's
     * {@code snapshot-save} snapshots exactly the nodes it is given, with the state).
     */
    private void refusePartialVm(SnapshotRequest r, List<SnapshotRequest> queued) throws IOException {
        Device d = registry.device(r.device());
        if (memory(r)) {
            if (((InternalSnapshotRequest) r).operation() != Operation.CREATE) {
                throw new InvalidRequestException(r.device(), "memory is saved by a create only");
            }
            if (!d.live()) {
                throw new InvalidRequestException(r.device(), "it has no running VM (no qmpSocket) whose memory could be saved");
            }
        }
        if (!d.live()) {
            return;
        }
        for (SnapshotRequest q : queued) {
            Device o = registry.device(q.device());
            if (!q.device().equals(r.device()) && o.live() && o.qmpSocket().equals(d.qmpSocket())
                    && memory(q) != memory(r)) {
                throw new InvalidRequestException(r.device(), "device \"" + q.device() + "\" of the same VM is in this"
                        + " transaction " + (memory(q) ? "with" : "without") + " memory: a VM's memory is saved with"
                        + " all of its disks in the transaction or not at all");
            }
        }
    }

    private static Path realPath(Path p) throws IOException {
        try {
            return p.toRealPath();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Checks each of {@code batch} after {@code queued} and the batch's earlier ones; returns the batch when all pass. */
    List<SnapshotRequest> checkAll(List<? extends SnapshotRequest> batch, List<SnapshotRequest> queued)
            throws InvalidRequestException {
        List<SnapshotRequest> seen = new java.util.ArrayList<>(queued);
        try (Devices devices = Devices.readOnly(registry)) {
            for (SnapshotRequest r : batch) {
                check(r, seen, devices);
                seen.add(r);
            }
        } catch (InvalidRequestException e) {
            throw e;
        } catch (IOException e) {
            // only closing what was read can throw here; the checks passed
        }
        return List.copyOf(batch);
    }

    private void check(SnapshotRequest r, List<SnapshotRequest> queued, Devices devices)
            throws InvalidRequestException {
        String dev = r.device();
        if (dev == null || !registry.hasDevice(dev)) {
            throw new InvalidRequestException(String.valueOf(dev), "unknown device");
        }
        try {
            DeviceAccess device = devices.get(dev);
            Member<?> member = Members.of(queued.size(), r, device);
            for (SnapshotRequest q : queued) {
                if (q.device().equals(dev) && !member.sharesDeviceWith(q)) {
                    throw new InvalidRequestException(dev, "the device is already in this transaction");
                }
                if (q.device().equals(dev) && q.equals(r)) {
                    throw new InvalidRequestException(dev, "the same deletion is already in this transaction");
                }
            }
            refuseAlias(dev, queued);
            refusePartialVm(r, queued);
            device.checkUsable();
            member.check();
        } catch (InvalidRequestException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidRequestException(dev, Member.message(e));
        }
    }
}
