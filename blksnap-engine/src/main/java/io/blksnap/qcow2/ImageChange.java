package io.blksnap.qcow2;

import io.blksnap.storage.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One change to an image, built copy-on-write and switched in by a single header write.
 *
 * <p>Nothing visible is touched before the switch: new tables, table copies, refcount blocks and
 * the refcount table all go to clusters {@link #clusters} allocates (free in the committed
 * image), then one write of at most 72 bytes at offset 24 of the header switches the active L1,
 * the refcount table and the snapshot table together. A crash before that write leaves the old
 * image (not even a leak), a crash after it the new one. This is stricter than QEMU's in-place
 * order, whose intermediate states pass {@code qemu-img check} only after leak repair and with
 * OFLAG_COPIED errors.
 *
 * <p>Two phases: {@link #writeNewClusters} computes the whole new state, writes every queued
 * cluster and flushes; the {@link HeaderSwitch} it returns is the commit point. Every write is
 * deferred until the whole new state is computed, so a refused change (a refcount overflow, a
 * table that would grow too large) leaves the file byte for byte as it was.
 */
final class ImageChange {

    /** A queued write: bytes, or an L2 table copied from {@code copyFrom} through a rewrite. */
    private record Pending(long offset, byte[] data, long copyFrom, L2Rewrite rewrite) {
    }

    /** Rewrites the entries of an L2 table copy (typically its OFLAG_COPIED bits). */
    interface L2Rewrite {
        void apply(byte[] l2) throws IOException;
    }

    private final Storage storage;
    private final Header h;
    /** The refcounts this change leaves, and where its new clusters come from. */
    final ClusterAllocator clusters;
    private final List<Pending> pending = new ArrayList<>();

    private ImageChange(Storage storage, Header h, StoredRefcounts stored) {
        this.storage = storage;
        this.h = h;
        this.clusters = new ClusterAllocator(h, stored);
    }

    /** Starts a change to the image {@code m} was read from; refused while it is not safe to change. */
    static ImageChange begin(ImageMetadata m) throws IOException {
        m.requireChangeable();
        return new ImageChange(m.storage, m.header, m.refcounts);
    }

    /** Queues {@code data} for new clusters; returns their offset. */
    long writeNew(byte[] data) throws IOException {
        long offset = clusters.allocateBytes(data.length);
        pending.add(new Pending(offset, data, -1, null));
        return offset;
    }

    /**
     * Queues a copy of the L2 table at {@code from} into a new cluster, rewritten on the way at
     * write time (when every refcount of the change is final); returns the copy's offset.
     */
    long copyL2(long from, L2Rewrite rewrite) throws IOException {
        long to = clusters.allocate(1);
        pending.add(new Pending(to, null, from, rewrite));
        return to;
    }

    /**
     * The write phase: completes the refcount structure copy-on-write, writes everything queued
     * and flushes. Nothing the committed image uses is touched. {@code size}, {@code l1*} and
     * {@code snapshots*} are the new header values; the returned switch makes them current.
     */
    HeaderSwitch writeNewClusters(long size, int l1Size, long l1Offset, int nbSnapshots, long snapshotsOffset)
            throws IOException {
        ClusterAllocator.RefcountStructure refcounts = clusters.finish();
        long originalLength = storage.size();
        try {
            for (Pending p : pending) {
                if (p.data() != null) {
                    storage.write(p.offset(), p.data());
                } else {
                    byte[] l2 = new byte[h.geometry.clusterSize];
                    storage.read(p.copyFrom(), l2);
                    p.rewrite().apply(l2);
                    storage.write(p.offset(), l2);
                }
            }
            for (Map.Entry<Long, byte[]> e : refcounts.blocks().entrySet()) {
                storage.write(e.getKey(), e.getValue());
            }
            storage.write(refcounts.tableOffset(), refcounts.table());
            storage.flush();
        } catch (IOException | RuntimeException e) {
            // Only clusters free in the committed image were written; drop any growth of the file.
            storage.truncate(originalLength);
            throw e;
        }
        return new HeaderSwitch(storage, h.commitBytes(size, l1Size, l1Offset, refcounts.tableOffset(),
                refcounts.tableClusters(), nbSnapshots, snapshotsOffset));
    }
}
