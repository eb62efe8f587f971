package io.blksnap.txn;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.OpenOptions;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.nio.file.Path;

/** Prepare makes the snapshot (durably, in the image); abort deletes it again by id. */
final class InternalCreateAction implements Action {

    private final InternalSnapshotRequest request;
    private final Path image;
    private final OpenOptions options;
    private Qcow2Image open;
    private String id;

    InternalCreateAction(InternalSnapshotRequest request, Path image, OpenOptions options) {
        this.request = request;
        this.image = image;
        this.options = options;
    }

    @Override
    public SnapshotRequest request() {
        return request;
    }

    @Override
    public void prepare() throws IOException {
        open = Qcow2Image.open(image, options);
        id = open.createSnapshot(new NewSnapshot(request.name(), request.time(), request.vmClockNsec())).id();
    }

    @Override
    public void commit() {
        // made in prepare
    }

    @Override
    public void abort() throws IOException {
        if (id != null) {
            open.deleteSnapshot(SnapshotRef.byIdAndName(id, request.name()));
        }
    }

    @Override
    public String snapshotId() {
        return id;
    }

    @Override
    public void close() throws IOException {
        if (open != null) {
            open.close();
        }
    }
}
