package io.blksnap.txn;

import io.blksnap.qcow2.PreparedChange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Deleting an external snapshot point: the point is the image frozen when its overlay (the
 * request's {@code overlay}, named by {@code OverlayNaming}) was made, that overlay's backing
 * file. In {@code base (s1) <- ov1 (s2) <- ov2 (active)}, deleting s1 merges ov1 into base and
 * points ov2 at base; deleting the newest point s2 merges the active ov2 into ov1 and pivots the
 * device back to ov1. The overlay is removed last.
 *
 * <p>Prepare writes the whole merge into free clusters of the lower image (the space is taken
 * there, so a full disk fails the prepare); commit is its header switch, then the upper image's
 * successor is pointed at the lower image (or the device pivots to it, with the group's other
 * pivots), and past the pivot the overlay is removed. Each of these leaves the device reading the
 * same content: the merged lower image differs from the old only where the overlay above it hides
 * it. The journal's {@code snapshotId} of this kind is the merge's header mark, the evidence that
 * the lower image was switched (nothing else shows it, and a lower image switched but left under
 * its overlay would make the point read as the later one).
 */
final class ExternalDelete extends ExternalMember {

    /** The lower image, the point itself (the overlay's backing file); null until located. */
    private Path lower;
    /** The image whose backing file is the overlay, or null when the overlay is the active image. */
    private Path above;
    private PreparedChange merge;

    ExternalDelete(int index, ExternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    @Override
    void check() throws IOException {
        if (device.live()) {
            throw refused(NOT_LIVE);
        }
        checkOverlayPath();
        List<Path> chain = locate();
        int at = chain.indexOf(overlay());
        refuseOtherUsers(lower, overlay());
        refuseOtherUsers(overlay(), at == 0 ? null : chain.get(at - 1));
        refuseInternalSnapshots(overlay());
        if (!Files.isWritable(lower)) {
            throw refused("its image " + lower + ", which the overlay would be merged into, is read-only");
        }
    }

    /** Finds the overlay in the device's chain; sets {@link #lower} and {@link #above}. */
    private List<Path> locate() throws IOException {
        List<Path> chain = device.chain();
        int at = chain.indexOf(overlay());
        if (at < 0) {
            throw refused("no external snapshot point with overlay " + overlay() + " in the device's chain " + chain);
        }
        if (at + 1 >= chain.size() || !Files.exists(chain.get(at + 1))) {
            throw refused("the overlay " + overlay() + " has no qcow2 backing image to merge into");
        }
        lower = chain.get(at + 1);
        above = at == 0 ? null : chain.get(at - 1);
        return chain;
    }

    @Override
    void prepare() throws IOException {
        device.hold();
        locate();
        merge = device.prepareMerge(overlay(), lower);
        snapshotId = merge.mergeResult().l2Tables() > 0 ? merge.headerMark() : null;
    }

    @Override
    void commit() throws IOException {
        merge.commit();
        if (above != null) {
            device.replaceBackingFile(above, lower);
        }
    }

    @Override
    void abort() throws IOException {
        if (merge != null) {
            merge.abort();
        }
    }

    /** Prepare wrote only into clusters the lower image does not use: nothing the chain uses to remove. */
    @Override
    boolean rollBack() {
        return false;
    }

    /**
     * The lower image shows the merge's header, or the overlay has left the device's chain (its
     * successor points past it, or the device pivoted below it).
     */
    @Override
    boolean switched() throws IOException {
        if (!Files.exists(overlay())) {
            return true; // it was there at add: gone only once removed, the last step past the commit
        }
        List<Path> chain = device.chain();
        int at = chain.indexOf(overlay());
        if (at < 0) {
            return true;
        }
        Path below = at + 1 < chain.size() ? chain.get(at + 1) : null;
        return snapshotId != null && below != null && Files.exists(below)
                && snapshotId.equals(device.headerMark(below));
    }

    /**
     * Finishes from wherever the images stand: merges again if the lower image was not switched
     * (the overlay is untouched until it leaves the chain, so the merge gives the same result),
     * points the successor at the lower image; the pivot and the removal follow.
     */
    @Override
    void rollForward() throws IOException {
        if (!Files.exists(overlay()) || !device.chain().contains(overlay())) {
            return; // out of the chain: repointed past, or pivoted below; no pivot left to make
        }
        locate();
        if (snapshotId == null || !snapshotId.equals(device.headerMark(lower))) {
            device.prepareMerge(overlay(), lower).commit();
        }
        if (above != null) {
            device.replaceBackingFile(above, lower);
        }
    }

    /** Past the pivot the overlay is in no chain: removed. */
    @Override
    boolean finish() throws IOException {
        return removeLayer(overlay());
    }

    /** The newest point: the device goes back to the lower image. */
    @Override
    Path pivotTo() {
        return above == null ? lower : null;
    }

    /** What is deleted cannot be made again. */
    @Override
    SnapshotRequest compensation(String transactionId) throws InvalidRequestException {
        throw refused("a deleted external snapshot point cannot be restored");
    }
}
