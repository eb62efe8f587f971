package io.blksnap.txn;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.PreparedChange;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * How a transaction's members reach one device: {@link LocalImage}, the device's active qcow2 file
 * opened through the transaction's {@link ImagePool}, or {@link LiveDisk}, a disk of a running VM
 * reached over QMP; {@link Devices#get} hands out one per device.
 */
interface DeviceAccess {

    String name();

    /** The image the device's guest writes to now. */
    Path activeImage() throws IOException;

    /** The only directory external snapshots of this device may put their overlays in. */
    Path overlayDir() throws IOException;

    /** Refuses a device no transaction may change now (missing, read-only, in use, needing repair); writes nothing. */
    void checkUsable() throws IOException;

    /** False when the device's active image is gone. */
    boolean present() throws IOException;

    long virtualSize() throws IOException;

    boolean hasExternalDataFile() throws IOException;

    List<Snapshot> snapshots() throws IOException;

    /**
     * Writes an internal snapshot create, delete or revert without making it visible: its commit
     * is the device's one header switch (needing no space), its abort leaves the image byte for
     * byte as it was. Several on one device build on each other; commit in order, abort last first.
     */
    Prepared prepareCreate(NewSnapshot snapshot) throws IOException;

    /**
     * A create that also saves the running VM's memory: only a running VM's disk has any. The
     * state goes to the disk of the lowest {@code order} (the transaction's first of that VM).
     */
    default Prepared prepareCreateWithMemory(NewSnapshot snapshot, int order) throws IOException {
        throw new InvalidRequestException(name(), "it has no running VM whose memory could be saved");
    }

    Prepared prepareDelete(SnapshotRef ref) throws IOException;

    Prepared prepareApply(SnapshotRef ref) throws IOException;

    /**
     * A disk of a running VM ({@link LiveDisk}): QEMU makes an internal create at the VM's QMP
     * transaction, before the commit record; a snapshot is found again by its name (QEMU stamps
     * its own time); it cannot be reverted in place.
     */
    default boolean live() {
        return false;
    }

    /**
     * A running VM's disk: has QEMU open {@code overlay} (made by the prepare) and stages the switch
     * of the device to it into the VM's transaction.
     */
    default void stageOverlay(Path overlay) throws IOException {
        throw new IOException(name() + ": only a running VM's disk switches to an overlay through QEMU");
    }

    /**
     * A running VM's disk: lets QEMU go of {@code overlay} if it has it open, first merging back
     * into the base whatever the guest wrote to it once it is the active layer; true when it had it.
     */
    default boolean detachOverlay(Path overlay) throws IOException {
        return false;
    }

    /** Holds the device (no one else writes it) until the transaction ends. */
    void hold() throws IOException;

    /** Holds a new overlay of the device until the transaction ends. */
    void holdOverlay(Path overlay) throws IOException;

    /** Lets go of an overlay early (one about to be removed). */
    void releaseOverlay(Path overlay) throws IOException;

    /** The device's chain of images, its active image first, absolute and normalized. Reads only. */
    List<Path> chain() throws IOException;

    /**
     * The images that name {@code layer} as their backing file, among every device's chain and
     * every file in an overlay directory (the one above it in this device's chain included): a
     * layer another one uses must not be merged into or removed. Reads only.
     */
    List<Path> backedBy(Path layer) throws IOException;

    /**
     * Writes the merge of {@code upper} into {@code lower}, its backing image, both in the
     * device's chain, without making it visible (see {@link io.blksnap.qcow2.Qcow2Image#prepareCommit}):
     * held until the transaction ends; commit is {@code lower}'s one header switch.
     */
    PreparedChange prepareMerge(Path upper, Path lower) throws IOException;

    /** The header mark of {@code image} now (see {@link PreparedChange#headerMark}). */
    String headerMark(Path image) throws IOException;

    /** Points {@code image} at {@code backing}, which must read as its old backing file does. */
    void replaceBackingFile(Path image, Path backing) throws IOException;
}
