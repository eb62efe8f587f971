package io.blksnap.txn;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.nio.file.Path;

/** Prepare makes the snapshot (durably, in the image); abort deletes it again by id. */
final class InternalCreateAction implements Action {

    private final InternalSnapshotRequest request;
    private final Path image;
    private final ImagePool pool;
    private String id;

    InternalCreateAction(InternalSnapshotRequest request, Path image, ImagePool pool) {
        this.request = request;
        this.image = image;
        this.pool = pool;
    }

    @Override
    public SnapshotRequest request() {
        return request;
    }

    @Override
    public void prepare() throws IOException {
        id = pool.get(image).createSnapshot(new NewSnapshot(request.name(), request.time(), request.vmClockNsec())).id();
    }

    @Override
    public void commit() {
        // made in prepare
    }

    @Override
    public void abort() throws IOException {
        if (id != null) {
            pool.get(image).deleteSnapshot(SnapshotRef.byIdAndName(id, request.name()));
        }
    }

    @Override
    public String snapshotId() {
        return id;
    }
}
