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
        long rawClusterBits = Bytes.u32(c0, 20);
        if (rawClusterBits < 9 || rawClusterBits > 21) {
            throw new MalformedImageException("unsupported cluster_bits " + rawClusterBits
                    + " (cluster size must be 2^9 to 2^21 bytes)");
        }
        clusterBits = (int) rawClusterBits;
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
            throw new UnsupportedImageException(unknownIncompatibleMessage(c0, headerLength, unknown));
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

        // Unsigned comparisons: a hostile 64-bit offset must not pass as a negative number.
        if (Long.compareUnsigned(backingFileOffset, clusterSize) > 0) {
            throw new MalformedImageException("backing file name offset (backing_file_offset 0x"
                    + Long.toUnsignedString(backingFileOffset, 16) + ") lies outside cluster 0");
        }
        if (backingFileOffset != 0) {
            long rawBackingSize = Bytes.u32(c0, 16);
            if (rawBackingSize > 1023) {
                throw new MalformedImageException("backing file name is too long (backing_file_size "
                        + rawBackingSize + ", at most 1023)");
            }
            if (backingFileOffset + backingFileSize > clusterSize) {
                throw new MalformedImageException("backing file name (backing_file_offset 0x"
                        + Long.toHexString(backingFileOffset) + ", " + backingFileSize
                        + " bytes) runs past the end of cluster 0");
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
        if (refcountTableClusters == 0) {
            throw new MalformedImageException("refcount table has no clusters (refcount_table_clusters 0)");
        }
        validateTable("refcount table", "refcount_table", refcountTableOffset, Bytes.u32(c0, 56) * clusterSize,
                MAX_REFTABLE_BYTES, fileSize);
        validateTable("L1 table", "l1_table", l1TableOffset, Bytes.u32(c0, 36) * 8, MAX_L1_BYTES, fileSize);
        long needed = geometry.l1EntriesFor(size);
        if (needed > Integer.MAX_VALUE) {
            throw new MalformedImageException("virtual size " + Long.toUnsignedString(size)
                    + " is too large: its L1 table would need " + Long.toUnsignedString(needed) + " entries");
        }
        if (l1Size < needed) {
            throw new MalformedImageException("L1 table is too small: l1_size " + l1Size
                    + " entries for a virtual size of " + size + " bytes (needs " + needed + ")");
        }
        long rawNbSnapshots = Bytes.u32(c0, 60);
        if (rawNbSnapshots > MAX_SNAPSHOTS) {
            throw new MalformedImageException("snapshot table lists too many snapshots: nb_snapshots "
                    + rawNbSnapshots + " (at most " + MAX_SNAPSHOTS + ")");
        }
        // As QEMU: the offset is validated even when there are no snapshots.
        if (snapshotsOffset < 0 || !geometry.aligned(snapshotsOffset)) {
            throw new MalformedImageException("snapshot table offset (snapshots_offset 0x"
                    + Long.toUnsignedString(snapshotsOffset, 16) + ") is invalid: not cluster aligned");
        }
        if (nbSnapshots > 0 && (snapshotsOffset == 0 || snapshotsOffset >= fileSize)) {
            throw new MalformedImageException("snapshot table offset (snapshots_offset 0x"
                    + Long.toHexString(snapshotsOffset) + ") lies outside the file");
        }
    }

    /**
     * Same rules as QEMU's qcow2_validate_table, plus: the table lies inside the file. Every
     * comparison is made so that a hostile 64-bit offset can neither wrap nor pass as negative.
     */
    private void validateTable(String name, String field, long offset, long bytes, long maxBytes, long fileSize)
            throws MalformedImageException {
        if (bytes > maxBytes) {
            throw new MalformedImageException(name + " is too large (" + bytes + " bytes, at most " + maxBytes + ")");
        }
        if (offset < 0 || !geometry.aligned(offset) || (bytes > 0 && offset == 0)) {
            throw new MalformedImageException(name + " offset (" + field + "_offset 0x"
                    + Long.toUnsignedString(offset, 16) + ") is invalid: not cluster aligned");
        }
        if (bytes > 0 && offset > fileSize - bytes) {
            throw new MalformedImageException(name + " at 0x" + Long.toHexString(offset) + " (" + bytes
                    + " bytes) extends beyond the end of the file (" + fileSize + " bytes)");
        }
    }

    /** Names each unknown incompatible bit, with the image's own feature-table name when it has one. */
    private static String unknownIncompatibleMessage(byte[] c0, int headerLength, long unknown) {
        byte[] table = null;
        try {
            for (HeaderExtension e : readExtensions(c0, headerLength, c0.length)) {
                if (e.type() == HeaderExtension.FEATURE_TABLE) {
                    table = e.data();
                }
            }
        } catch (MalformedImageException ignored) {
            // names are a courtesy; the bits are reported either way
        }
        StringBuilder sb = new StringBuilder("unsupported incompatible feature bits: ");
        boolean first = true;
        for (int bit = 0; bit < 64; bit++) {
            if ((unknown & (1L << bit)) == 0) {
                continue;
            }
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append("bit ").append(bit);
            String name = featureName(table, bit);
            if (name != null) {
                sb.append(" (\"").append(name).append("\")");
            }
        }
        return sb.append(" (incompatible_features 0x").append(Long.toHexString(unknown)).append(")").toString();
    }

    private static String featureName(byte[] table, int bit) {
        if (table == null) {
            return null;
        }
        for (int off = 0; off + 48 <= table.length; off += 48) {
            if (table[off] == 0 && (table[off + 1] & 0xff) == bit) {
                int len = 0;
                while (len < 46 && table[off + 2 + len] != 0) {
                    len++;
                }
                String name = new String(table, off + 2, len, StandardCharsets.UTF_8);
                return name.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f) ? name : null;
            }
        }
        return null;
    }

    private static List<HeaderExtension> readExtensions(byte[] c0, int start, int end) throws MalformedImageException {
        List<HeaderExtension> exts = new ArrayList<>();
        int off = start;
        while (off < end) {
            if (off + 8 > end) {
                throw new MalformedImageException("header extension at offset " + off
                        + " runs past the end of the header extension area (" + end + ")");
            }
            int type = (int) Bytes.u32(c0, off);
            long len = Bytes.u32(c0, off + 4);
            if (type == 0) {
                break;
            }
            if (len > end - off - 8) {
                throw new MalformedImageException("header extension 0x" + Integer.toHexString(type)
                        + " is too large (" + len + " bytes) and runs past the end of cluster 0");
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
