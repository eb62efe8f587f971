package io.blksnap.txn;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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

    /**
     * The id of the snapshot {@code r} made, or null: same name and the request's own time, so a
     * later snapshot that reuses the name is never taken for it (recovery and undo rely on this).
     */
    static String madeBy(InternalSnapshotRequest r, List<Snapshot> snapshots) {
        for (Snapshot s : snapshots) {
            if (s.name().equals(r.name()) && s.dateSec() == r.dateSec() && s.dateNsec() == r.dateNsec()) {
                return s.id();
            }
        }
        return null;
    }

    @Override
    public String snapshotId() {
        return id;
    }
}
