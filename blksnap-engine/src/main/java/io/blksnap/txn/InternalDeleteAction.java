package io.blksnap.txn;

import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotException;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.nio.file.Path;

/** Prepare finds the snapshot (holding the image); commit deletes it; abort has nothing to undo. */
final class InternalDeleteAction implements Action {

    private final InternalSnapshotRequest request;
    private final Path image;
    private final ImagePool pool;
    private String id;

    InternalDeleteAction(InternalSnapshotRequest request, Path image, ImagePool pool) {
        this.request = request;
        this.image = image;
        this.pool = pool;
    }

    @Override
    public SnapshotRequest request() {
        return request;
    }

    /** The id of the snapshot {@code r} names on the image, or null. */
    static String find(InternalSnapshotRequest r, java.util.List<Snapshot> snapshots) {
        for (Snapshot s : snapshots) {
            if ((r.id() == null || r.id().equals(s.id())) && (r.name() == null || r.name().equals(s.name()))) {
                return s.id();
            }
        }
        return null;
    }

    @Override
    public void prepare() throws IOException {
        id = find(request, pool.get(image).snapshots());
        if (id == null) {
            throw new SnapshotException("snapshot \"" + (request.name() != null ? request.name() : request.id())
                    + "\" does not exist");
        }
    }

    @Override
    public void commit() throws IOException {
        pool.get(image).deleteSnapshot(SnapshotRef.byId(id));
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
