package io.blksnap.qcow2;

import io.blksnap.storage.Storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
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
    /** The file's length when the change began: what an abandoned change cuts it back to. */
    private final long startLength;
    /** Bytes {@link #writeAppended} wrote since it last started a background flush. */
    private long appendedSinceFlush;
    private static final long WRITE_BEHIND_BYTES = 64 << 20;

    private ImageChange(Storage storage, Header h, StoredRefcounts stored, List<StoredRefcounts> alsoInUse)
            throws IOException {
        this.storage = storage;
        this.h = h;
        this.clusters = new ClusterAllocator(h, stored, alsoInUse);
        this.startLength = storage.size();
    }

    /** Starts a change to the image {@code m} was read from; refused while it is not safe to change. */
    static ImageChange begin(ImageMetadata m) throws IOException {
        return begin(m, List.of());
    }

    /**
     * Starts a change on top of prepared, not yet switched changes ({@code m} is the state the last
     * of them switches to): a cluster in use in any state a crash could still leave committed
     * ({@code alsoInUse}) is never allocated.
     */
    static ImageChange begin(ImageMetadata m, List<StoredRefcounts> alsoInUse) throws IOException {
        m.requireChangeable();
        return new ImageChange(m.storage, m.header, m.refcounts, alsoInUse);
    }

    /** Queues {@code data} for new clusters; returns their offset. */
    long writeNew(byte[] data) throws IOException {
        long offset = clusters.allocateBytes(data.length);
        pending.add(new Pending(offset, data, -1, null));
        return offset;
    }

    /**
     * Writes {@code data} (whole clusters) now, into new contiguous clusters past the end the file
     * had when the change began, and returns their offset: for data too big to queue, streamed
     * before the write phase (a merge's clusters and table copies). Abandoning the change only
     * has to cut the file back: nothing there was in the file before.
     */
    long writeAppended(ByteBuffer data) throws IOException {
        int length = data.remaining();
        long offset = allocateAppended(length);
        storage.write(offset, data);
        writtenAppended(length);
        return offset;
    }

    /** {@link #writeAppended} of {@code length} bytes of {@code src} at {@code srcOffset}, copied storage to storage. */
    long copyAppended(Storage src, long srcOffset, int length) throws IOException {
        long offset = allocateAppended(length);
        storage.copyFrom(src, srcOffset, offset, length);
        writtenAppended(length);
        return offset;
    }

    private long allocateAppended(int length) throws IOException {
        int clusterSize = h.geometry.clusterSize;
        return clusters.allocateFrom(length / clusterSize, (startLength + clusterSize - 1) / clusterSize);
    }

    private void writtenAppended(int length) throws IOException {
        appendedSinceFlush += length;
        // Write-behind: the disk takes what is written while the walk goes on, instead of all of
        // it in the write phase's flush (which still makes it durable).
        if (appendedSinceFlush >= WRITE_BEHIND_BYTES) {
            appendedSinceFlush = 0;
            storage.startFlush();
        }
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
    Written writeNewClusters(long size, int l1Size, long l1Offset, int nbSnapshots, long snapshotsOffset)
            throws IOException {
        ClusterAllocator.RefcountStructure refcounts = clusters.finish();
        List<Pending> writes = new ArrayList<>(pending);
        for (Map.Entry<Long, byte[]> e : refcounts.blocks().entrySet()) {
            writes.add(new Pending(e.getKey(), e.getValue(), -1, null));
        }
        writes.add(new Pending(refcounts.tableOffset(), refcounts.table(), -1, null));
        Restore restore = Restore.before(storage, startLength, writes, h.geometry.clusterSize);
        try {
            for (Pending p : writes) {
                if (p.data() != null) {
                    storage.write(p.offset(), p.data());
                } else {
                    byte[] l2 = new byte[h.geometry.clusterSize];
                    storage.read(p.copyFrom(), l2);
                    p.rewrite().apply(l2);
                    storage.write(p.offset(), l2);
                }
            }
            storage.flush();
        } catch (IOException | RuntimeException e) {
            // Only clusters free in the committed image were written: put them back as they were.
            try {
                restore.run();
            } catch (IOException | RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        return new Written(new HeaderSwitch(storage, h.commitBytes(size, l1Size, l1Offset, refcounts.tableOffset(),
                refcounts.tableClusters(), nbSnapshots, snapshotsOffset)), restore);
    }

    /** A change whose clusters are written and flushed: the switch commits it, the restore abandons it. */
    record Written(HeaderSwitch headerSwitch, Restore restore) {
    }

    /**
     * What the change overwrote, to abandon it leaving the file byte for byte as it was: the
     * file's length when the change began and the old bytes of every cluster the write phase
     * wrote inside that length (clusters free in the committed image still hold stale bytes, or
     * read as a hole). What {@link #writeAppended} wrote lies past that length: nothing to keep.
     */
    static final class Restore {
        /** Compared and written back in blocks of this size: the file system's usual block. */
        private static final int BLOCK = 4096;

        /** Old bytes kept before writes, in write order; released once the change is committed or restored. */
        interface Saved {
            int count();

            long offset(int i);

            byte[] bytes(int i) throws IOException;

            default void release() throws IOException {
            }
        }

        /** A few clusters of old bytes, in memory (what one change's queued writes overwrite). */
        private record InMemory(List<Long> offsets, List<byte[]> old) implements Saved {
            @Override
            public int count() {
                return old.size();
            }

            @Override
            public long offset(int i) {
                return offsets.get(i);
            }

            @Override
            public byte[] bytes(int i) {
                return old.get(i);
            }
        }

        private final Storage storage;
        private final long length;
        private final Saved saved;

        private Restore(Storage storage, long length, Saved saved) {
            this.storage = storage;
            this.length = length;
            this.saved = saved;
        }

        /** The file's old length and the old bytes {@code saved} kept. */
        static Restore of(Storage storage, long length, Saved saved) {
            return new Restore(storage, length, saved);
        }

        private static Restore before(Storage storage, long length, List<Pending> writes, int clusterSize)
                throws IOException {
            List<Long> offsets = new ArrayList<>();
            List<byte[]> old = new ArrayList<>();
            for (Pending p : writes) {
                long end = Math.min(length, p.offset() + (p.data() != null ? p.data().length : clusterSize));
                if (p.offset() < end) {
                    byte[] b = new byte[(int) (end - p.offset())];
                    storage.read(p.offset(), b);
                    offsets.add(p.offset());
                    old.add(b);
                }
            }
            return new Restore(storage, length, new InMemory(offsets, old));
        }

        /**
         * Writes back only the blocks that now differ: the change wrote those, so the file system
         * has them allocated and rewriting them needs no free space (a hole the change never
         * reached still reads as the zeros it held). Then cuts the growth and syncs.
         */
        void run() throws IOException {
            for (int i = saved.count() - 1; i >= 0; i--) {
                byte[] was = saved.bytes(i);
                long offset = saved.offset(i);
                byte[] now = new byte[was.length];
                storage.read(offset, now);
                for (int from = 0; from < was.length; from += BLOCK) {
                    int to = Math.min(was.length, from + BLOCK);
                    if (!Arrays.equals(was, from, to, now, from, to)) {
                        storage.write(offset + from, Arrays.copyOfRange(was, from, to));
                    }
                }
            }
            if (storage.size() > length) {
                storage.truncate(length);
            }
            storage.flush();
        }

        /** The old bytes are no longer needed (the change is committed, or restored). */
        void release() throws IOException {
            saved.release();
        }
    }
}
