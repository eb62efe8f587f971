package io.blksnap.txn;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * How a transaction's members reach one device. Today one kind: {@link LocalImage}, the device's
 * active qcow2 file opened through the transaction's {@link ImagePool}. A disk of a running VM,
 * reached over QMP, is another implementation that {@link Devices#get} hands out; members and the
 * runner see only this interface.
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

    /** Makes an internal snapshot durably; its id. */
    String createSnapshot(NewSnapshot snapshot) throws IOException;

    void deleteSnapshot(SnapshotRef ref) throws IOException;

    void applySnapshot(SnapshotRef ref) throws IOException;

    /** Holds the device (no one else writes it) until the transaction ends. */
    void hold() throws IOException;

    /** Holds a new overlay of the device until the transaction ends. */
    void holdOverlay(Path overlay) throws IOException;

    /** Lets go of an overlay early (one about to be removed). */
    void releaseOverlay(Path overlay) throws IOException;
}
