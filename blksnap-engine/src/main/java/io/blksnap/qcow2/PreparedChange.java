package io.blksnap.qcow2;

import java.io.IOException;
import java.util.HexFormat;

/**
 * A snapshot create, delete or apply whose every write is done: its new clusters (tables, table
 * copies, refcount blocks and table, snapshot table) are written into clusters free in the
 * committed image and flushed, and nothing is switched yet. {@link #commit} is the one header
 * write (and a flush), which needs no free space; {@link #abort} writes back every byte the
 * change overwrote inside the file's old length, cuts the file back to that length and syncs,
 * leaving it byte for byte as it was. Several changes prepared on one image build on each other
 * (each sees the state the previous one switches to): commit them in the order prepared, or
 * abort them last first.
 */
public final class PreparedChange {

    private final Qcow2Image image;
    private final Snapshot snapshot;
    private final MergeResult merged;
    final ImageChange.Written written;
    /** The image as this change's switch leaves it, read when a later change builds on it. */
    private ImageMetadata after;

    PreparedChange(Qcow2Image image, Snapshot snapshot, ImageChange.Written written) {
        this(image, snapshot, null, written);
    }

    PreparedChange(Qcow2Image image, Snapshot snapshot, MergeResult merged, ImageChange.Written written) {
        this.image = image;
        this.snapshot = snapshot;
        this.merged = merged;
        this.written = written;
    }

    /** The snapshot it makes, removes or reverts to; null for a merge. */
    public Snapshot snapshot() {
        return snapshot;
    }

    /** What a merge ({@link Qcow2Image#prepareCommit}) wrote; null for a snapshot change. */
    public MergeResult mergeResult() {
        return merged;
    }

    /**
     * The header as the commit leaves it, as text: once {@link Qcow2Image#headerMark} shows it, the
     * switch was made (its new tables sit in clusters the old header did not use, so the old header
     * never shows it). Recovery's evidence that a change is committed.
     */
    public String headerMark() {
        return HexFormat.of().formatHex(written.headerSwitch().commitBytes());
    }

    /** The commit point: one write of the header's commit range, then a flush. */
    public void commit() throws IOException {
        image.commit(this);
    }

    /** Abandons the change: every byte as it was before the prepare, the length included. */
    public void abort() throws IOException {
        image.abort(this);
    }

    ImageMetadata after() throws IOException {
        if (after == null) {
            after = ImageMetadata.read(new SwitchedView(written.headerSwitch()));
        }
        return after;
    }
}
