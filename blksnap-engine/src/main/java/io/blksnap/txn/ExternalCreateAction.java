package io.blksnap.txn;

import io.blksnap.fs.AtomicFiles;
import io.blksnap.qcow2.CreateOptions;
import io.blksnap.qcow2.Qcow2Image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prepare creates the overlay on top of the active image (holding both, so no QEMU writes
 * either meanwhile); commit pivots the device to it; abort removes an overlay it created.
 */
final class ExternalCreateAction implements Action {

    private final ExternalSnapshotRequest request;
    private final Path active;
    private final ImagePool pool;
    private boolean created;

    ExternalCreateAction(ExternalSnapshotRequest request, Path active, ImagePool pool) {
        this.request = request;
        this.active = active;
        this.pool = pool;
    }

    @Override
    public SnapshotRequest request() {
        return request;
    }

    @Override
    public void prepare() throws IOException {
        pool.get(active);
        if (!request.useExisting()) {
            Qcow2Image.create(request.overlay(), CreateOptions.ofSize(-1).withBacking(active.toString(), "qcow2"));
            created = true;
            AtomicFiles.syncDirectory(request.overlay().toAbsolutePath().getParent());
        }
        pool.get(request.overlay());
    }

    @Override
    public void commit() {
        // the pivot is written for all devices at once by the transaction
    }

    @Override
    public void abort() throws IOException {
        pool.release(request.overlay());
        if (created) {
            Files.deleteIfExists(request.overlay());
            AtomicFiles.syncDirectory(request.overlay().toAbsolutePath().getParent());
        }
    }

    @Override
    public Path pivotTo() {
        return request.overlay().toAbsolutePath().normalize();
    }
}
