package io.blksnap.qcow2;

import io.blksnap.storage.Storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The qcow2 header, read from cluster 0 and validated the way QEMU validates it on open, plus
 * sanity limits so a hostile header can neither hang us nor make us allocate absurd amounts.
 */
final class Header {

    static final int MAGIC = 0x514649fb;
    static final int V2_LENGTH = 72;
    static final int V3_MIN_LENGTH = 104;
    /** Where the commit range starts: see {@link #commitBytes}. */
    static final int COMMIT_OFFSET = 24;

    static final long INCOMPAT_DIRTY = 1;
    static final long INCOMPAT_CORRUPT = 2;
    static final long INCOMPAT_DATA_FILE = 4;
    static final long INCOMPAT_COMPRESSION = 8;
    static final long INCOMPAT_EXTL2 = 16;
    static final long INCOMPAT_KNOWN = 31;
    static final long COMPAT_LAZY_REFCOUNTS = 1;
    static final long AUTOCLEAR_BITMAPS = 1;
    static final long AUTOCLEAR_DATA_FILE_RAW = 2;
    static final long AUTOCLEAR_KNOWN = 3;

    static final long MAX_L1_BYTES = 32L << 20;
    static final long MAX_REFTABLE_BYTES = 8L << 20;
    static final long MAX_SNAPSHOT_TABLE_BYTES = 64L << 20;
    static final int MAX_SNAPSHOTS = 65536;

    final int version;
    final long backingFileOffset;
    final int backingFileSize;
    final int clusterBits;
    final long size;
    final int cryptMethod;
    final int l1Size;
    final long l1TableOffset;
    final long refcountTableOffset;
    final int refcountTableClusters;
    final int nbSnapshots;
    final long snapshotsOffset;
    final long incompatibleFeatures;
    final long compatibleFeatures;
    final long autoclearFeatures;
    final int refcountOrder;
    final int headerLength;
    final int compressionType;
    final String backingFile;
    final List<HeaderExtension> extensions;
    final Geometry geometry;

    private Header(byte[] c0, long fileSize) throws MalformedImageException, UnsupportedImageException {
        if (Bytes.u32(c0, 0) != (MAGIC & 0xffffffffL)) {
            throw new MalformedImageException("not a qcow2 image (bad magic)");
        }
        version = (int) Bytes.u32(c0, 4);
        if (version != 2 && version != 3) {
            throw new UnsupportedImageException("unsupported qcow2 version " + version);
        }
        backingFileOffset = Bytes.u64(c0, 8);
        backingFileSize = (int) Math.min(Bytes.u32(c0, 16), Integer.MAX_VALUE);
        clusterBits = (int) Math.min(Bytes.u32(c0, 20), 64);
        if (clusterBits < 9 || clusterBits > 21) {
            throw new MalformedImageException("unsupported cluster size: 2^" + clusterBits);
        }
        int clusterSize = 1 << clusterBits;
        size = Bytes.u64(c0, 24);
        cryptMethod = (int) Bytes.u32(c0, 32);
        l1Size = (int) Math.min(Bytes.u32(c0, 36), Integer.MAX_VALUE);
        l1TableOffset = Bytes.u64(c0, 40);
        refcountTableOffset = Bytes.u64(c0, 48);
        refcountTableClusters = (int) Math.min(Bytes.u32(c0, 56), Integer.MAX_VALUE);
        nbSnapshots = (int) Math.min(Bytes.u32(c0, 60), Integer.MAX_VALUE);
        snapshotsOffset = Bytes.u64(c0, 64);
        if (version == 2) {
            incompatibleFeatures = 0;
            compatibleFeatures = 0;
            autoclearFeatures = 0;
            refcountOrder = 4;
            headerLength = V2_LENGTH;
            compressionType = 0;
        } else {
            incompatibleFeatures = Bytes.u64(c0, 72);
            compatibleFeatures = Bytes.u64(c0, 80);
            autoclearFeatures = Bytes.u64(c0, 88);
            refcountOrder = (int) Math.min(Bytes.u32(c0, 96), 64);
            headerLength = (int) Math.min(Bytes.u32(c0, 100), Integer.MAX_VALUE);
            if (headerLength < V3_MIN_LENGTH) {
                throw new MalformedImageException("header_length " + headerLength + " is too short (at least 104)");
            }
            if (headerLength > clusterSize) {
                throw new MalformedImageException("header_length " + headerLength + " exceeds the cluster size");
            }
            if (headerLength % 8 != 0) {
                throw new MalformedImageException("header_length " + headerLength + " is not a multiple of 8");
            }
            compressionType = headerLength > 104 ? c0[104] & 0xff : 0;
        }
        if (refcountOrder > 6) {
            throw new MalformedImageException("refcount_order " + refcountOrder + " is too large (at most 6)");
        }
        long unknown = incompatibleFeatures & ~INCOMPAT_KNOWN;
        if (unknown != 0) {
            throw new UnsupportedImageException("unsupported incompatible feature bits 0x"
                    + Long.toHexString(unknown));
        }
        boolean extL2 = (incompatibleFeatures & INCOMPAT_EXTL2) != 0;
        if (extL2 && clusterBits < 14) {
            throw new MalformedImageException("extended L2 entries need clusters of at least 16 KiB");
        }
        if ((incompatibleFeatures & INCOMPAT_COMPRESSION) != 0 ? compressionType != 1 : compressionType != 0) {
            throw new MalformedImageException("compression_type " + compressionType
                    + " does not match the compression-type feature bit");
        }
        geometry = new Geometry(clusterBits, extL2, refcountOrder);

        if (backingFileOffset != 0) {
            if (backingFileSize > 1023) {
                throw new MalformedImageException("backing file name is too long (" + backingFileSize + " bytes)");
            }
            if (backingFileOffset > clusterSize || backingFileOffset + backingFileSize > clusterSize) {
                throw new MalformedImageException("backing_file_offset " + backingFileOffset + " is outside cluster 0");
            }
            backingFile = new String(c0, (int) backingFileOffset, backingFileSize, StandardCharsets.UTF_8);
        } else {
            backingFile = null;
        }
        extensions = readExtensions(c0, headerLength,
                backingFileOffset != 0 ? (int) backingFileOffset : clusterSize);

        if (cryptMethod > 2) {
            throw new MalformedImageException("unknown crypt_method " + cryptMethod);
        }
        validateTable("refcount table", refcountTableOffset, (long) refcountTableClusters * clusterSize,
                MAX_REFTABLE_BYTES, fileSize);
        if (refcountTableClusters == 0) {
            throw new MalformedImageException("refcount table has no clusters");
        }
        validateTable("L1 table", l1TableOffset, (long) l1Size * 8, MAX_L1_BYTES, fileSize);
        if (l1Size < geometry.l1EntriesFor(size)) {
            throw new MalformedImageException("L1 table is too small: " + l1Size + " entries for a virtual size of "
                    + size + " bytes");
        }
        if (nbSnapshots > MAX_SNAPSHOTS) {
            throw new MalformedImageException("too many snapshots: " + nbSnapshots);
        }
        if (!geometry.aligned(snapshotsOffset)) {
            throw new MalformedImageException("snapshots_offset 0x" + Long.toHexString(snapshotsOffset)
                    + " is not cluster aligned");
        }
        if (nbSnapshots > 0 && (snapshotsOffset == 0 || snapshotsOffset >= fileSize)) {
            throw new MalformedImageException("snapshot table offset 0x" + Long.toHexString(snapshotsOffset)
                    + " is outside the file");
        }
    }

    /** Same rules as QEMU's qcow2_validate_table, plus: the table lies inside the file. */
    private void validateTable(String name, long offset, long bytes, long maxBytes, long fileSize)
            throws MalformedImageException {
        if (bytes > maxBytes) {
            throw new MalformedImageException(name + " is too large (" + bytes + " bytes)");
        }
        if (offset < 0 || !geometry.aligned(offset) || (bytes > 0 && offset == 0)) {
            throw new MalformedImageException(name + " offset 0x" + Long.toHexString(offset) + " is invalid");
        }
        if (bytes > 0 && offset + bytes > fileSize) {
            throw new MalformedImageException(name + " at 0x" + Long.toHexString(offset)
                    + " extends beyond the end of the file");
        }
    }

    private static List<HeaderExtension> readExtensions(byte[] c0, int start, int end) throws MalformedImageException {
        List<HeaderExtension> exts = new ArrayList<>();
        int off = start;
        while (true) {
            if (off + 8 > end) {
                break; // no room for another extension header: the list ends here
            }
            int type = (int) Bytes.u32(c0, off);
            long len = Bytes.u32(c0, off + 4);
            if (type == 0) {
                break;
            }
            if (len > end - off - 8) {
                throw new MalformedImageException("header extension 0x" + Integer.toHexString(type)
                        + " is too large (" + len + " bytes)");
            }
            byte[] data = new byte[(int) len];
            System.arraycopy(c0, off + 8, data, 0, (int) len);
            if (type == HeaderExtension.CRYPTO && len != 16) {
                throw new MalformedImageException("crypto header extension has length " + len + ", expected 16");
            }
            exts.add(new HeaderExtension(type, data));
            off += 8 + (int) ((len + 7) & ~7L);
        }
        return List.copyOf(exts);
    }

    static Header read(Storage storage) throws IOException {
        long fileSize = storage.size();
        if (fileSize < V2_LENGTH) {
            throw new MalformedImageException("file is too short to be a qcow2 image");
        }
        byte[] first = new byte[V3_MIN_LENGTH];
        storage.read(0, first);
        long bits = Bytes.u32(first, 20);
        int c0Size = bits >= 9 && bits <= 21 ? 1 << bits : V3_MIN_LENGTH;
        byte[] c0 = new byte[c0Size];
        storage.read(0, c0);
        return new Header(c0, fileSize);
    }

    boolean has(long incompatibleBit) {
        return (incompatibleFeatures & incompatibleBit) != 0;
    }

    HeaderExtension extension(int type) {
        for (HeaderExtension e : extensions) {
            if (e.type() == type) {
                return e;
            }
        }
        return null;
    }

    String backingFormat() {
        HeaderExtension e = extension(HeaderExtension.BACKING_FORMAT);
        return e == null ? null : new String(e.data(), StandardCharsets.UTF_8);
    }

    /**
     * The bytes from offset 24 that one write switches to commit a change: size through
     * snapshots_offset, and for v3 the feature words too, with autoclear bits we do not know
     * cleared as the format asks of every writer. At most 72 bytes, inside the first sector.
     */
    byte[] commitBytes(long newSize, int newL1Size, long l1Offset, long reftOffset, int reftClusters,
                       int newNbSnapshots, long newSnapshotsOffset) {
        byte[] b = new byte[version >= 3 ? 72 : 48];
        Bytes.put64(b, 0, newSize);
        Bytes.put32(b, 8, cryptMethod);
        Bytes.put32(b, 12, newL1Size);
        Bytes.put64(b, 16, l1Offset);
        Bytes.put64(b, 24, reftOffset);
        Bytes.put32(b, 32, reftClusters);
        Bytes.put32(b, 36, newNbSnapshots);
        Bytes.put64(b, 40, newSnapshotsOffset);
        if (version >= 3) {
            Bytes.put64(b, 48, incompatibleFeatures);
            Bytes.put64(b, 56, compatibleFeatures);
            Bytes.put64(b, 64, autoclearFeatures & AUTOCLEAR_KNOWN);
        }
        return b;
    }
}
