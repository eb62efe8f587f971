package io.blksnap.qcow2;

/**
 * An internal snapshot as {@code qemu-img snapshot -l} shows it.
 *
 * @param vmStateSize bytes of saved VM state (0 for disk-only snapshots)
 * @param icount      instruction count at the snapshot, -1 when not recorded
 * @param diskSize    virtual disk size when the snapshot was taken
 */
public record Snapshot(String id, String name, long vmStateSize, long dateSec, long dateNsec,
                       long vmClockNsec, long icount, long diskSize) {
}
