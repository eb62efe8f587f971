package io.blksnap.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads guest data from one image of a chain, without its backing file: each granule of a range
 * comes back as data, zero, or unallocated (the backing file would answer). Handles standard,
 * zero (plain and allocated), zlib-compressed clusters and extended L2 subclusters.
 *
 * <p>Memory stays bounded: one L2 table and one decompressed cluster are cached, which suits
 * callers that walk the guest space in ascending order.
 *
 * <p>Data is read lazily: granules whose host bytes follow one another and that go next to one
 * another in the caller's buffer become one read, done by {@link #completeReads} (a run of
 * clusters written in one go is usually stored in one go too).
 */
final class LayerReader {

    static final byte UNALLOCATED = 0;
    static final byte ZERO = 1;
    static final byte DATA = 2;

    private final ImageMetadata m;
    private final Geometry g;
    private final long[] l1;
    private final long fileSize;
    /** Bytes of one subcluster: the finest unit whose state an L2 entry records. */
    final int subclusterSize;
    private long cachedL1Index = -1;
    private byte[] cachedL2;
    private long cachedCompressedEntry;
    private byte[] decompressed;
    /** The read not done yet: {@link #pendingLength} bytes at host {@link #pendingHost} into {@link #pendingBuf}. */
    private ByteBuffer pendingBuf;
    private long pendingHost;
    private int pendingAt;
    private int pendingLength;

    LayerReader(ImageMetadata m) throws IOException {
        this.m = m;
        this.g = m.g;
        this.l1 = m.activeL1();
        this.fileSize = m.storage.size();
        this.subclusterSize = g.extendedL2 ? g.clusterSize / 32 : g.clusterSize;
    }

    /**
     * The state of the granules of {@code [offset, offset + len)}, {@code granule} bytes each
     * (a power of two no larger than a subcluster, with {@code offset} aligned to it), into
     * {@code state}; data goes to {@code buf} from index {@code at} on, at the same position,
     * zero and unallocated granules are filled with zeros. With a null {@code buf} only the
     * states are found (no data is read). Data granules may be read only by {@link #completeReads}.
     */
    void read(long offset, int len, int granule, byte[] state, ByteBuffer buf, int at) throws IOException {
        int n = len / granule;
        for (int i = 0; i < n; i++) {
            state[i] = readGranule(offset + (long) i * granule, granule, buf, at + i * granule);
        }
    }

    /** Does the reads {@link #read} put off: afterwards every buffer it was given holds its data. */
    void completeReads() throws IOException {
        if (pendingLength > 0) {
            m.storage.read(pendingHost, pendingBuf.slice(pendingAt, pendingLength));
            pendingLength = 0;
        }
    }

    /**
     * When the read put off is the whole of {@code buf}'s first {@code length} bytes (nothing else
     * went there), drops it and returns its host offset, for the caller to copy the bytes
     * without reading them; otherwise -1.
     */
    long takeWholeRead(ByteBuffer buf, int length) {
        if (pendingLength != length || pendingAt != 0 || pendingBuf != buf) {
            return -1;
        }
        pendingLength = 0;
        return pendingHost;
    }

    private void readLater(long host, ByteBuffer buf, int at, int len) throws IOException {
        if (pendingLength > 0 && buf == pendingBuf && host == pendingHost + pendingLength
                && at == pendingAt + pendingLength) {
            pendingLength += len;
            return;
        }
        completeReads();
        pendingBuf = buf;
        pendingHost = host;
        pendingAt = at;
        pendingLength = len;
    }

    /** True when no entry of the L2 table covering {@code guestOffset} is allocated at all. */
    boolean l2Missing(long guestOffset) {
        int i = l1Index(guestOffset);
        return i >= l1.length || (l1[i] & Geometry.L1E_OFFSET_MASK) == 0;
    }

    /** The raw 64-bit entry and (extended L2) bitmap of the cluster at {@code guestOffset}; null when no L2 table. */
    long[] entry(long guestOffset) throws IOException {
        byte[] l2 = l2(guestOffset);
        if (l2 == null) {
            return null;
        }
        int j = (int) ((guestOffset >>> g.clusterBits) & (g.l2Entries - 1));
        long e = Bytes.u64(l2, j * g.l2EntryBytes);
        long bitmap = g.extendedL2 ? Bytes.u64(l2, j * g.l2EntryBytes + 8) : 0;
        return new long[] {e, bitmap};
    }

    private int l1Index(long guestOffset) {
        return (int) (guestOffset >>> (g.clusterBits + Integer.numberOfTrailingZeros(g.l2Entries)));
    }

    private byte[] l2(long guestOffset) throws IOException {
        int i = l1Index(guestOffset);
        if (i != cachedL1Index) {
            long off = i < l1.length ? l1[i] & Geometry.L1E_OFFSET_MASK : 0;
            cachedL2 = off == 0 ? null : m.tables.readL2(off);
            cachedL1Index = i;
        }
        return cachedL2;
    }

    private byte readGranule(long guest, int granule, ByteBuffer buf, int at) throws IOException {
        byte[] l2 = l2(guest);
        if (l2 == null) {
            if (buf != null) {
                zero(buf, at, granule);
            }
            return UNALLOCATED;
        }
        int j = (int) ((guest >>> g.clusterBits) & (g.l2Entries - 1));
        int inCluster = (int) (guest & (g.clusterSize - 1));
        long e = Bytes.u64(l2, j * g.l2EntryBytes);
        if (Tables.compressed(e)) {
            if (buf != null) {
                buf.put(at, decompress(e), inCluster, granule);
            }
            return DATA;
        }
        long host = e & Geometry.L2E_OFFSET_MASK;
        byte state;
        if (g.extendedL2) {
            long bitmap = Bytes.u64(l2, j * g.l2EntryBytes + 8);
            int sc = inCluster / subclusterSize;
            boolean zero = (bitmap >>> (32 + sc) & 1) != 0;
            boolean alloc = (bitmap >>> sc & 1) != 0;
            if (zero && alloc) {
                throw new MalformedImageException("L2 entry " + j + " marks subcluster " + sc
                        + " both allocated and zero");
            }
            state = zero ? ZERO : alloc ? DATA : UNALLOCATED;
        } else if (m.header.version >= 3 && (e & Geometry.OFLAG_ZERO) != 0) {
            state = ZERO;
        } else {
            state = host != 0 ? DATA : UNALLOCATED;
        }
        if (state != DATA) {
            if (buf != null) {
                zero(buf, at, granule);
            }
            return state;
        }
        if (host == 0 || !g.aligned(host) || host > fileSize - g.clusterSize) {
            throw new MalformedImageException("L2 entry " + j + " points to an invalid data cluster 0x"
                    + Long.toHexString(host));
        }
        if (buf != null) {
            readLater(host + inCluster, buf, at, granule);
        }
        return DATA;
    }

    private static final byte[] ZEROS = new byte[4096];

    private static void zero(ByteBuffer buf, int at, int len) {
        for (int done = 0; done < len; done += ZEROS.length) {
            buf.put(at + done, ZEROS, 0, Math.min(ZEROS.length, len - done));
        }
    }

    private byte[] decompress(long e) throws IOException {
        if (decompressed != null && e == cachedCompressedEntry) {
            return decompressed;
        }
        long coffset = e & g.coffsetMask;
        long sectors = ((e >>> g.csizeShift) & g.csizeMask) + 1;
        long csize = Math.min(sectors * 512 - (coffset & 511), fileSize - coffset);
        if (coffset <= 0 || csize <= 0) {
            throw new MalformedImageException("compressed cluster at 0x" + Long.toHexString(coffset)
                    + " is outside the image");
        }
        // One spare byte: raw inflate may want input past the end of the stream.
        byte[] in = new byte[(int) csize + 1];
        byte[] raw = new byte[(int) csize];
        m.storage.read(coffset, raw);
        System.arraycopy(raw, 0, in, 0, raw.length);
        byte[] out = new byte[g.clusterSize];
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(in);
            int done = 0;
            while (done < out.length) {
                int k = inflater.inflate(out, done, out.length - done);
                if (k == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                done += k;
            }
            if (done != out.length) {
                throw new MalformedImageException("compressed cluster at 0x" + Long.toHexString(coffset)
                        + " inflates to " + done + " bytes, not " + out.length);
            }
        } catch (DataFormatException ex) {
            throw new MalformedImageException("compressed cluster at 0x" + Long.toHexString(coffset)
                    + " does not inflate: " + ex.getMessage());
        } finally {
            inflater.end();
        }
        cachedCompressedEntry = e;
        decompressed = out;
        return out;
    }
}
