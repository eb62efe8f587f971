package io.blksnap.qcow2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The refcounts a change will leave behind, and the cluster allocator that works on them.
 *
 * <p>Beside {@link StoredRefcounts} (the committed refcounts, never written here): every
 * adjustment goes into a copy of the refcount block it touches, and a cluster is allocated only
 * when it is free both in the committed image and after this change, so nothing the committed
 * image uses is ever overwritten. {@link #finish} then places those block copies and a new
 * refcount table in free clusters too; {@link ImageChange} writes them.
 */
final class ClusterAllocator {

    /**
     * Where the changed refcount blocks and the new refcount table go: {@code blocks} maps each
     * new block's host offset to its contents, in block order.
     */
    record RefcountStructure(Map<Long, byte[]> blocks, long tableOffset, int tableClusters, byte[] table) {
    }

    private final Header h;
    private final Geometry g;
    /**
     * Block index and index inside the block of a cluster, as a shift and a mask: refcounts per
     * block is a power of two, and two 64-bit divisions per cluster lookup were a measurable
     * share of a change on a fully allocated image. Cluster indices are never negative.
     */
    private final int blockShift;
    private final long blockMask;
    private final StoredRefcounts stored;
    /** New contents of every refcount block that changes, by block index. */
    private final TreeMap<Long, byte[]> changedBlocks = new TreeMap<>();
    /**
     * The changed block last looked up, by index (-1: none). refcount() and adjust() run once or
     * more per cluster of every table a change walks, mostly in ascending cluster order, so they
     * nearly always hit the block of the previous call; this spares them the boxed TreeMap
     * lookup (a top frame on big1). Entries are never removed from changedBlocks, so the memo
     * cannot go stale.
     */
    private long lastChangedIndex = -1;
    private byte[] lastChanged;
    private long freeHint;
    /** Where {@link #allocateFrom} goes on looking: after the run it placed last. */
    private long appendHint;
    /**
     * Refcounts of states a crash could still leave committed (the image under prepared changes
     * this one builds on): a cluster in use in any of them is not free either.
     */
    private final List<StoredRefcounts> alsoInUse;

    ClusterAllocator(Header h, StoredRefcounts stored, List<StoredRefcounts> alsoInUse) {
        this.alsoInUse = List.copyOf(alsoInUse);
        this.h = h;
        this.g = h.geometry;
        this.blockShift = Integer.numberOfTrailingZeros(g.refcountsPerBlock);
        this.blockMask = g.refcountsPerBlock - 1;
        this.stored = stored;
        this.freeHint = 1;
    }

    /** Refcount of {@code cluster} as it will be after the change. */
    long refcount(long cluster) throws IOException {
        byte[] b = changedBlock(cluster >> blockShift);
        if (b == null) {
            return stored.refcount(cluster);
        }
        return RefcountBlock.get(b, (int) (cluster & blockMask), g.refcountOrder);
    }

    void adjust(long cluster, long delta) throws IOException {
        long blockIndex = cluster >> blockShift;
        byte[] b = changedBlock(blockIndex);
        if (b == null) {
            byte[] old = stored.block(blockIndex);
            b = old == null ? new byte[g.clusterSize] : old.clone();
            changedBlocks.put(blockIndex, b);
            lastChangedIndex = blockIndex;
            lastChanged = b;
        }
        int idx = (int) (cluster & blockMask);
        long cur = RefcountBlock.get(b, idx, g.refcountOrder);
        long next = cur + delta;
        if (next < 0) {
            throw new MalformedImageException("refcount of cluster 0x" + Long.toHexString(g.clusterOffset(cluster))
                    + " would drop below zero: the image's refcounts are inconsistent (run check)");
        }
        if (next > g.maxRefcount || (delta > 0 && next < cur)) {
            throw new UnsupportedImageException("refcount overflow: cluster 0x"
                    + Long.toHexString(g.clusterOffset(cluster)) + " would exceed the maximum refcount "
                    + g.maxRefcount + " of refcount_bits=" + g.refcountBits);
        }
        RefcountBlock.set(b, idx, g.refcountOrder, next);
    }

    /** The new contents of block {@code blockIndex} if this change touches it, else null. */
    private byte[] changedBlock(long blockIndex) {
        if (blockIndex == lastChangedIndex) {
            return lastChanged;
        }
        byte[] b = changedBlocks.get(blockIndex);
        if (b != null) {
            lastChangedIndex = blockIndex;
            lastChanged = b;
        }
        return b;
    }

    void adjustRange(long offset, long bytes, long delta) throws IOException {
        long first = g.clusterIndex(offset);
        long last = g.clusterIndex(offset + Math.max(bytes, 1) - 1);
        for (long c = first; c <= last; c++) {
            adjust(c, delta);
        }
    }

    /**
     * Allocates {@code n} contiguous clusters, free both now and after the change (a cluster this
     * change frees stays in use until the commit, so it is never reused by the same change).
     */
    long allocate(long n) throws IOException {
        long[] found = findFree(n, freeHint);
        // Every cluster below the first free one is in use; the run just taken is too when it starts there.
        freeHint = found[1] == found[0] ? found[0] + n : found[1];
        return take(found[0], n);
    }

    /**
     * Allocates {@code n} contiguous clusters at or after cluster {@code from} (past the end of the
     * file, for writes that need no restore), free like those of {@link #allocate}; successive
     * calls place their runs one after another.
     */
    long allocateFrom(long n, long from) throws IOException {
        long start = findFree(n, Math.max(from, appendHint))[0];
        appendHint = start + n;
        return take(start, n);
    }

    private long take(long start, long n) throws IOException {
        for (long k = start; k < start + n; k++) {
            adjust(k, 1);
        }
        return g.clusterOffset(start);
    }

    /**
     * The first run of {@code n} clusters free now and after the change at or after cluster
     * {@code from}: {its start, the first free cluster seen}.
     */
    private long[] findFree(long n, long from) throws IOException {
        long start = from;
        long firstFree = -1;
        long run = 0;
        // Block by block rather than cluster by cluster through refcount(): the first scan of a
        // change walks every used cluster (131072 on a fully allocated 8 GiB image), and this way
        // each step is two array reads instead of two block lookups. A cluster is free when its
        // stored refcount and its refcount after the change are both 0; a block that neither
        // exists nor is changed is free as a whole.
        long c = from;
        scan:
        while (true) {
            long blockIndex = c >> blockShift;
            long blockEnd = (blockIndex + 1) << blockShift;
            byte[] now = stored.block(blockIndex);
            byte[] after = changedBlock(blockIndex);
            if (now == null && after == null && !usedElsewhere(blockIndex, -1)) {
                if (firstFree < 0) {
                    firstFree = c;
                }
                if (run == 0) {
                    start = c;
                }
                long take = Math.min(n - run, blockEnd - c);
                run += take;
                c += take;
                if (run == n) {
                    break;
                }
                continue;
            }
            for (; c < blockEnd; c++) {
                int i = (int) (c & blockMask);
                if ((now == null || RefcountBlock.get(now, i, g.refcountOrder) == 0)
                        && (after == null || RefcountBlock.get(after, i, g.refcountOrder) == 0)
                        && (alsoInUse.isEmpty() || !usedElsewhere(blockIndex, i))) {
                    if (firstFree < 0) {
                        firstFree = c;
                    }
                    if (run == 0) {
                        start = c;
                    }
                    if (++run == n) {
                        break scan;
                    }
                } else {
                    run = 0;
                }
            }
        }
        return new long[] {start, firstFree};
    }

    /**
     * Whether a state in {@link #alsoInUse} uses cluster {@code i} of block {@code blockIndex}
     * ({@code i < 0}: any cluster of the block).
     */
    private boolean usedElsewhere(long blockIndex, int i) throws IOException {
        for (StoredRefcounts other : alsoInUse) {
            byte[] b = other.block(blockIndex);
            if (b != null) {
                if (i >= 0 ? RefcountBlock.get(b, i, g.refcountOrder) != 0 : !allZero(b)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    long allocateBytes(long bytes) throws IOException {
        return allocate(g.clustersFor(bytes));
    }

    /**
     * Completes the refcount structure copy-on-write: every changed block gets a new cluster and
     * the refcount table a new copy, the old ones are freed. A fixed point, since those
     * allocations change refcounts too. The last refcount change of a change: the blocks
     * returned are final.
     */
    RefcountStructure finish() throws IOException {
        long[] oldTable = stored.tableCopy();
        Map<Long, Long> shadowOf = new HashMap<>();
        long tableOffset = -1;
        long tableClusters = 0;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Long b : new ArrayList<>(changedBlocks.keySet())) {
                if (!shadowOf.containsKey(b)) {
                    shadowOf.put(b, allocate(1));
                    long old = b < oldTable.length ? oldTable[(int) (long) b] : 0;
                    if (old != 0) {
                        adjust(g.clusterIndex(old), -1);
                    }
                    changed = true;
                }
            }
            long entries = Math.max(oldTable.length, changedBlocks.isEmpty() ? 0 : changedBlocks.lastKey() + 1);
            long needed = g.clustersFor(entries * 8);
            if (needed * g.clusterSize > Header.MAX_REFTABLE_BYTES) {
                throw new UnsupportedImageException("the refcount table would exceed "
                        + (Header.MAX_REFTABLE_BYTES >> 20) + " MiB");
            }
            if (needed > tableClusters) {
                if (tableOffset < 0) {
                    adjustRange(h.refcountTableOffset, (long) h.refcountTableClusters * g.clusterSize, -1);
                } else {
                    adjustRange(tableOffset, tableClusters * g.clusterSize, -1);
                }
                tableClusters = needed;
                tableOffset = allocate(tableClusters);
                changed = true;
            }
        }
        byte[] table = new byte[(int) (tableClusters * g.clusterSize)];
        for (int i = 0; i < oldTable.length; i++) {
            Bytes.put64(table, i * 8, oldTable[i]);
        }
        for (Map.Entry<Long, Long> e : shadowOf.entrySet()) {
            Bytes.put64(table, (int) (e.getKey() * 8), e.getValue());
        }
        Map<Long, byte[]> blocks = new LinkedHashMap<>();
        for (Map.Entry<Long, byte[]> e : changedBlocks.entrySet()) {
            blocks.put(shadowOf.get(e.getKey()), e.getValue());
        }
        return new RefcountStructure(blocks, tableOffset, (int) tableClusters, table);
    }
}
