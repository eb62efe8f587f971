package io.blksnap.txn;

import io.blksnap.qcow2.ImageInfo;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.Snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A device as the engine reaches it, for reading only (see {@link SnapshotEngine#describe}): the
 * internal snapshots of its active layer and its chain, from QEMU over QMP for a running VM's disk
 * (QEMU holds the file), else from the image file (opened read-only).
 *
 * @param chain the active layer first, then each backing file
 */
public record DeviceView(String device, boolean live, Path activeImage, long virtualSize, List<Layer> chain,
                         List<Snapshot> snapshots) {

    /**
     * One file of a chain.
     *
     * @param allocatedBytes bytes of the file in use: for an offline qcow2 layer its clusters with a refcount
     *                       (what merging it down moves, at most), for a live one QEMU's {@code actual-size};
     *                       0 when unknown
     */
    public record Layer(Path file, String format, long virtualSize, long allocatedBytes) {
    }

    /** Why an external point of this device cannot be deleted or reverted to now, or null when it can. */
    public String externalChangeRefusal() {
        return live ? ExternalMember.NOT_LIVE : null;
    }

    static DeviceView ofImage(String device, Path active) throws IOException {
        try (Qcow2Image img = Qcow2Image.open(active)) {
            ImageInfo info = img.info();
            List<Layer> chain = new ArrayList<>();
            chain.add(new Layer(active, "qcow2", info.virtualSize(), info.allocatedBytes()));
            for (ImageInfo.BackingLayer b : info.backingChain()) {
                Path file = Path.of(b.filename()).toAbsolutePath().normalize();
                chain.add(new Layer(file, b.format(), b.virtualSize(), "qcow2".equals(b.format()) ? allocated(file) : 0));
            }
            return new DeviceView(device, false, active, info.virtualSize(), List.copyOf(chain),
                    List.copyOf(img.snapshots()));
        }
    }

    private static long allocated(Path qcow2) {
        try (Qcow2Image img = Qcow2Image.open(qcow2)) {
            return img.info().allocatedBytes();
        } catch (IOException e) {
            return 0; // unreadable: the chain already says so by its format
        }
    }
}
