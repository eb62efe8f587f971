package io.blksnap.txn;

import io.blksnap.qcow2.OpenOptions;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.nio.file.Path;

/** Prepare finds the snapshot (holding the image); commit deletes it; abort has nothing to undo. */
final class InternalDeleteAction implements Action {

    private final InternalSnapshotRequest request;
    private final Path image;
    private final OpenOptions options;
    private Qcow2Image open;
    private String id;

    InternalDeleteAction(InternalSnapshotRequest request, Path image, OpenOptions options) {
        this.request = request;
        this.image = image;
        this.options = options;
    }

    @Override
    public SnapshotRequest request() {
        return request;
    }

    static SnapshotRef ref(InternalSnapshotRequest r) {
        if (r.id() != null && r.name() != null) {
            return SnapshotRef.byIdAndName(r.id(), r.name());
        }
        return r.id() != null ? SnapshotRef.byId(r.id()) : SnapshotRef.byName(r.name());
    }

    @Override
    public void prepare() throws IOException {
        open = Qcow2Image.open(image, options);
        SnapshotRef ref = ref(request);
        for (Snapshot s : open.snapshots()) {
            if ((ref.id() == null || ref.id().equals(s.id())) && (ref.name() == null || ref.name().equals(s.name()))) {
                id = s.id();
                return;
            }
        }
        throw new io.blksnap.qcow2.SnapshotException("snapshot \"" + request.name() + "\" does not exist");
    }

    @Override
    public void commit() throws IOException {
        open.deleteSnapshot(SnapshotRef.byId(id));
    }

    @Override
    public void abort() {
        // nothing was changed in prepare
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
