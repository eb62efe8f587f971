package io.blksnap.txn;

import io.blksnap.qcow2.SnapshotException;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reverting a device to a snapshot: prepare finds it (holding the image); commit applies it, so
 * no device reverts unless every device of the transaction could.
 */
final class InternalApplyAction implements Action {

    private final InternalSnapshotRequest request;
    private final Path image;
    private final ImagePool pool;
    private String id;

    InternalApplyAction(InternalSnapshotRequest request, Path image, ImagePool pool) {
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
        id = InternalDeleteAction.find(request, pool.get(image).snapshots());
        if (id == null) {
            throw new SnapshotException("snapshot \"" + request.name() + "\" does not exist");
        }
    }

    @Override
    public void commit() throws IOException {
        pool.get(image).applySnapshot(SnapshotRef.byId(id));
    }

    @Override
    public void abort() {
        // nothing was changed in prepare
    }

    @Override
    public String snapshotId() {
        return id;
    }
}
