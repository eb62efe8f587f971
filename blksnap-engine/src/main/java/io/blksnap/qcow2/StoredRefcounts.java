package io.blksnap.qcow2;

import io.blksnap.storage.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The committed refcounts of an image: its refcount table and a bounded cache of its blocks.
 *
 * <p>A table entry that points nowhere sensible (reserved bits, unaligned, past the end of the
 * file) does not stop the image from opening, as in QEMU: the entry reads as "no block", the
 * problem is recorded for {@code check} to report, and {@link ImageChange#begin} refuses to write.
 */
final class StoredRefcounts {

    private static final long CACHE_BYTES = 4L << 20;

    private final Storage storage;
    private final Geometry g;
    /**
     * Block index and index inside the block of a cluster, as a shift and a mask: refcounts per
     * block is a power of two, and two 64-bit divisions per cluster lookup were a measurable
     * share of a change on a fully allocated image. Cluster indices are never negative.
     */
    private final int blockShift;
    private final long blockMask;
    private final long[] table;
    private final long fileSize;
    private final Map<Long, byte[]> cache;
    /**
     * The block last returned by {@link #block}, by index (-1: none). Clusters are mostly looked
     * up in ascending order, so consecutive lookups nearly always hit the same block; this spares
     * them the boxed key and the access-ordered map (a top frame on a fully allocated 8 GiB
     * image). Blocks are never changed once read, so a block the cache has since evicted is still
     * valid here. Like the cache, not for concurrent use.
     */
    private long lastIndex = -1;
    private byte[] lastBlock;
    private final List<String> problems = new ArrayList<>();

    StoredRefcounts(Storage storage, Header h) throws IOException {
        this.storage = storage;
        this.g = h.geometry;
        this.blockShift = Integer.numberOfTrailingZeros(g.refcountsPerBlock);
        this.blockMask = g.refcountsPerBlock - 1;
        this.fileSize = storage.size();
        int entries = (int) ((long) h.refcountTableClusters * g.clusterSize / 8);
        byte[] raw = new byte[entries * 8];
        storage.read(h.refcountTableOffset, raw);
        table = new long[entries];
        for (int i = 0; i < entries; i++) {
            long e = Bytes.u64(raw, i * 8);
            long off = e & Geometry.REFT_OFFSET_MASK;
            String problem = null;
            if ((e & ~Geometry.REFT_OFFSET_MASK) != 0) {
                problem = "has reserved bits set (0x" + Long.toHexString(e) + ")";
            } else if (off != 0 && !g.aligned(off)) {
                problem = "points to an unaligned refcount block 0x" + Long.toHexString(off);
            } else if (off != 0 && (off < 0 || off > fileSize - g.clusterSize)) {
                problem = "points to a refcount block past the end of the file (0x" + Long.toUnsignedString(off, 16)
                        + ")";
            }
            if (problem != null) {
                if (problems.size() < 100) {
                    problems.add("refcount table entry " + i + " " + problem);
                }
                off = 0;
            }
            table[i] = off;
        }
        int capacity = (int) Math.max(2, CACHE_BYTES / g.clusterSize);
        cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
                return size() > capacity;
            }
        };
    }

    int tableEntries() {
        return table.length;
    }

    /** Host offset of refcount block {@code blockIndex}, 0 when it does not exist. */
    long blockOffset(long blockIndex) {
        return blockIndex < table.length ? table[(int) blockIndex] : 0;
    }

    /** A read-only view of block {@code blockIndex}, or null when the block does not exist. */
    byte[] block(long blockIndex) throws IOException {
        if (blockIndex == lastIndex) {
            return lastBlock;
        }
        long off = blockOffset(blockIndex);
        if (off == 0) {
            return null;
        }
        byte[] b = cache.get(blockIndex);
        if (b == null) {
            b = new byte[g.clusterSize];
            storage.read(off, b);
            cache.put(blockIndex, b);
        }
        lastIndex = blockIndex;
        lastBlock = b;
        return b;
    }

    long refcount(long cluster) throws IOException {
        byte[] b = block(cluster >> blockShift);
        return b == null ? 0 : RefcountBlock.get(b, (int) (cluster & blockMask), g.refcountOrder);
    }

    long[] tableCopy() {
        return table.clone();
    }

    /** One past the highest cluster index the refcount structure can describe. */
    long coveredClusters() {
        return (long) table.length * g.refcountsPerBlock;
    }

    long fileSize() {
        return fileSize;
    }

    /** Invalid refcount table entries found on load, one line each (they read as absent blocks). */
    List<String> problems() {
        return List.copyOf(problems);
    }
}
