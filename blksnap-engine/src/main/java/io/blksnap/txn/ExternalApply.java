package io.blksnap.txn;

import io.blksnap.fs.AtomicFiles;
import io.blksnap.qcow2.CreateOptions;
import io.blksnap.qcow2.Qcow2Image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Reverting a device to an external snapshot point (the backing image of the request's overlay):
 * the overlay is replaced by a new empty one on the point, the device pivots to it, and the layers
 * that were above the overlay, which no chain reaches any more, are removed. The point keeps its
 * name (its overlay is the new one), as an internal snapshot survives its revert.
 *
 * <p>Prepare creates the new overlay beside the old one ({@code <overlay>.revert}); commit renames it
 * over the old one (one atomic rename, the switch), the pivot follows with the group's others, and
 * past it the old layers are removed. Layers other images read through (another device, a kept
 * branch) are refused at add: keeping the dropped layers as a branch is not supported. The
 * journal's {@code snapshotId} of this kind is the new overlay's file identity, the evidence that
 * the rename happened.
 */
final class ExternalApply extends ExternalMember {

    ExternalApply(int index, ExternalSnapshotRequest request, DeviceAccess device) {
        super(index, request, device);
    }

    /** Where prepare makes the new overlay, until commit renames it over the old one. */
    private Path fresh() {
        return overlay().resolveSibling(overlay().getFileName() + ".revert");
    }

    @Override
    void check() throws IOException {
        if (device.live()) {
            throw refused(NOT_LIVE);
        }
        checkOverlayPath();
        List<Path> chain = device.chain();
        lower(chain);
        if (Files.exists(fresh())) {
            throw refused(fresh() + " is left from an earlier revert; remove it first");
        }
        int at = chain.indexOf(overlay());
        for (int i = 0; i <= at; i++) {
            refuseOtherUsers(chain.get(i), i == 0 ? null : chain.get(i - 1));
            refuseInternalSnapshots(chain.get(i));
        }
    }

    /** The point: the overlay's backing image in the device's chain. */
    private Path lower(List<Path> chain) throws InvalidRequestException {
        int at = chain.indexOf(overlay());
        if (at < 0) {
            throw refused("no external snapshot point with overlay " + overlay() + " in the device's chain " + chain);
        }
        if (at + 1 >= chain.size() || !Files.exists(chain.get(at + 1))) {
            throw refused("the overlay " + overlay() + " has no qcow2 backing image to revert to");
        }
        return chain.get(at + 1);
    }

    @Override
    void prepare() throws IOException {
        device.hold();
        Path lower = lower(device.chain());
        Qcow2Image.create(fresh(), CreateOptions.ofSize(-1).withBacking(lower.toString(), "qcow2"));
        AtomicFiles.syncDirectory(overlay().getParent());
        snapshotId = identity(fresh());
    }

    private static String identity(Path p) throws IOException {
        Object key = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        return key == null ? null : key.toString();
    }

    @Override
    void commit() throws IOException {
        Files.move(fresh(), overlay(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.syncDirectory(overlay().getParent());
        device.releaseOverlay(overlay()); // a handle on the old file must not be taken for the new one
    }

    /** Also after a create that failed part-way: the add refused an existing {@code <overlay>.revert}, so it is ours. */
    @Override
    void abort() throws IOException {
        removeLayer(fresh());
    }

    /** Before the rename the new overlay is nobody's: removed. */
    @Override
    boolean rollBack() throws IOException {
        return removeLayer(fresh());
    }

    /** The overlay's path holds the file prepare made. */
    @Override
    boolean switched() throws IOException {
        return snapshotId != null && Files.exists(overlay()) && snapshotId.equals(identity(overlay()));
    }

    @Override
    void rollForward() throws IOException {
        if (Files.exists(fresh())) {
            commit();
        } else if (!switched()) {
            throw new IOException("the revert's new overlay " + fresh() + " is missing, and " + overlay() + " is not it");
        }
    }

    @Override
    Path pivotTo() {
        return overlay();
    }

    /**
     * Past the pivot: removes every image that reads through the overlay's path (the old layers
     * above it still name it), farthest first, so that a removal cut short leaves the rest findable.
     */
    @Override
    boolean finish() throws IOException {
        List<Path> dropped = new ArrayList<>();
        List<Path> level = List.of(overlay());
        while (!level.isEmpty()) {
            List<Path> next = new ArrayList<>();
            for (Path p : level) {
                for (Path u : device.backedBy(p)) {
                    if (!dropped.contains(u) && !u.equals(overlay())) {
                        dropped.add(u);
                        next.add(u);
                    }
                }
            }
            level = next;
        }
        boolean removed = false;
        for (int i = dropped.size() - 1; i >= 0; i--) {
            removed |= removeLayer(dropped.get(i));
        }
        return removed;
    }

    @Override
    SnapshotRequest compensation(String transactionId) throws InvalidRequestException {
        throw refused("a revert to an external snapshot cannot be undone: the layers it dropped are removed");
    }
}
