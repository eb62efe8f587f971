package io.blksnap.txn;

import io.blksnap.fs.AtomicFiles;
import io.blksnap.qcow2.CreateOptions;
import io.blksnap.qcow2.OpenOptions;
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
    private final OpenOptions options;
    private Qcow2Image base;
    private Qcow2Image overlay;
    private boolean created;

    ExternalCreateAction(ExternalSnapshotRequest request, Path active, OpenOptions options) {
        this.request = request;
        this.active = active;
        this.options = options;
    }

    @Override
    public SnapshotRequest request() {
        return request;
    }

    @Override
    public void prepare() throws IOException {
        base = Qcow2Image.open(active, options);
        if (!request.useExisting()) {
            Qcow2Image.create(request.overlay(), CreateOptions.ofSize(-1).withBacking(active.toString(), "qcow2"));
            created = true;
            AtomicFiles.syncDirectory(request.overlay().toAbsolutePath().getParent());
        }
        overlay = Qcow2Image.open(request.overlay(), options);
    }

    @Override
    public void commit() {
        // the pivot is written for all devices at once by the transaction
    }

    @Override
    public void abort() throws IOException {
        if (overlay != null) {
            overlay.close();
            overlay = null;
        }
        if (created) {
            Files.deleteIfExists(request.overlay());
            AtomicFiles.syncDirectory(request.overlay().toAbsolutePath().getParent());
        }
    }

    @Override
    public Path pivotTo() {
        return request.overlay().toAbsolutePath().normalize();
    }

    @Override
    public void close() throws IOException {
        try {
            if (overlay != null) {
                overlay.close();
            }
        } finally {
            if (base != null) {
                base.close();
            }
        }
    }
}
