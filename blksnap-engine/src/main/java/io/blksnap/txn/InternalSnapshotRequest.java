package io.blksnap.txn;

import java.time.Instant;

/**
 * An internal snapshot (inside the device's active qcow2 image), as QEMU's
 * {@code blockdev-snapshot-internal-sync}: a name, the wall-clock time and the guest clock.
 * For a delete or apply, {@code id} may narrow the name to one snapshot (both must then match).
 * A create {@code withMemory} on a running VM's disk also saves the VM's state (QEMU's
 * {@code snapshot-save}); absent in JSON it is false.
 */
public record InternalSnapshotRequest(String device, Operation operation, String name, String id, long dateSec,
                                      long dateNsec, long vmClockNsec, boolean withMemory) implements SnapshotRequest {

    public InternalSnapshotRequest(String device, Operation operation, String name, String id, long dateSec,
                                   long dateNsec, long vmClockNsec) {
        this(device, operation, name, id, dateSec, dateNsec, vmClockNsec, false);
    }

    public static InternalSnapshotRequest create(String device, String name, Instant time) {
        return new InternalSnapshotRequest(device, Operation.CREATE, name, null, time.getEpochSecond(),
                time.getNano(), 0);
    }

    /** A create that also saves the running VM's memory and device state with the disk. */
    public static InternalSnapshotRequest createWithMemory(String device, String name, Instant time) {
        return new InternalSnapshotRequest(device, Operation.CREATE, name, null, time.getEpochSecond(),
                time.getNano(), 0, true);
    }

    public static InternalSnapshotRequest delete(String device, String name) {
        return new InternalSnapshotRequest(device, Operation.DELETE, name, null, 0, 0, 0);
    }

    public static InternalSnapshotRequest deleteById(String device, String id, String name) {
        return new InternalSnapshotRequest(device, Operation.DELETE, name, id, 0, 0, 0);
    }

    public static InternalSnapshotRequest apply(String device, String name) {
        return new InternalSnapshotRequest(device, Operation.APPLY, name, null, 0, 0, 0);
    }

    public Instant time() {
        return Instant.ofEpochSecond(dateSec, dateNsec);
    }
}
