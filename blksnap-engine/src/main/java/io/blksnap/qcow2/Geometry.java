package io.blksnap.qcow2;

/** Sizes derived from the header: clusters, L2 entries, refcount entries, compressed descriptors. */
final class Geometry {

    static final long L1E_OFFSET_MASK = 0x00fffffffffffe00L;
    static final long L1E_RESERVED_MASK = 0x7f000000000001ffL;
    static final long L2E_OFFSET_MASK = 0x00fffffffffffe00L;
    static final long OFLAG_COPIED = 1L << 63;
    static final long OFLAG_COMPRESSED = 1L << 62;
    static final long OFLAG_ZERO = 1L;
    static final long REFT_OFFSET_MASK = 0xfffffffffffffe00L;

    final int clusterBits;
    final int clusterSize;
    final boolean extendedL2;
    /** Bytes of one L2 entry: 8, or 16 with extended L2 (entry + subcluster bitmaps). */
    final int l2EntryBytes;
    final int l2Entries;
    final int refcountOrder;
    final int refcountBits;
    final int refcountsPerBlock;
    final long maxRefcount;
    final int csizeShift;
    final long csizeMask;
    final long coffsetMask;

    Geometry(int clusterBits, boolean extendedL2, int refcountOrder) {
        this.clusterBits = clusterBits;
        this.clusterSize = 1 << clusterBits;
        this.extendedL2 = extendedL2;
        this.l2EntryBytes = extendedL2 ? 16 : 8;
        this.l2Entries = clusterSize / l2EntryBytes;
        this.refcountOrder = refcountOrder;
        this.refcountBits = 1 << refcountOrder;
        this.refcountsPerBlock = (int) ((long) clusterSize * 8 / refcountBits);
        this.maxRefcount = refcountBits == 64 ? Long.MAX_VALUE : (1L << refcountBits) - 1;
        this.csizeShift = 62 - (clusterBits - 8);
        this.csizeMask = (1L << (clusterBits - 8)) - 1;
        this.coffsetMask = (1L << csizeShift) - 1;
    }

    long clusterIndex(long offset) {
        return offset >>> clusterBits;
    }

    long clusterOffset(long index) {
        return index << clusterBits;
    }

    boolean aligned(long offset) {
        return (offset & (clusterSize - 1)) == 0;
    }

    long clustersFor(long bytes) {
        return (bytes + clusterSize - 1) >>> clusterBits;
    }

    /**
     * L1 entries needed to map {@code virtualSize} bytes, the size read as the unsigned 64-bit
     * field it is on disk (a signed reading let 2^64-1 need "0" entries).
     */
    long l1EntriesFor(long virtualSize) {
        long bytesPerL2 = (long) l2Entries << clusterBits;
        long n = Long.divideUnsigned(virtualSize, bytesPerL2);
        return Long.remainderUnsigned(virtualSize, bytesPerL2) != 0 ? n + 1 : n;
    }

    /** First host cluster touched by a compressed L2 entry. */
    long compressedFirstCluster(long entry) {
        return clusterIndex(entry & coffsetMask);
    }

    /** Last host cluster touched by a compressed L2 entry (inclusive). */
    long compressedLastCluster(long entry) {
        long coffset = entry & coffsetMask;
        long sectors = ((entry >>> csizeShift) & csizeMask) + 1;
        long csize = sectors * 512 - (coffset & 511);
        return clusterIndex(coffset + csize - 1);
    }
}
