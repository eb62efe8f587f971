package io.blksnap.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a new, empty qcow2 image laid out as {@code qemu-img create} lays one out: header,
 * refcount table, refcount blocks, L1 table. It never overwrites an existing file.
 */
final class ImageCreator {

    private ImageCreator() {
    }

    static void create(Path path, CreateOptions o) throws IOException {
        int clusterBits = Integer.numberOfTrailingZeros(o.clusterSize());
        if (Integer.bitCount(o.clusterSize()) != 1 || clusterBits < 9 || clusterBits > 21) {
            throw new ImageException("cluster size must be a power of two between 512 and 2 MiB");
        }
        int order = Integer.numberOfTrailingZeros(o.refcountBits());
        if (Integer.bitCount(o.refcountBits()) != 1 || order > 6) {
            throw new ImageException("refcount_bits must be a power of two between 1 and 64");
        }
        boolean v3;
        switch (o.compat()) {
            case "1.1", "v3" -> v3 = true;
            case "0.10", "v2" -> v3 = false;
            default -> throw new ImageException("unknown compat level \"" + o.compat() + "\" (use 0.10 or 1.1)");
        }
        if (!v3 && (order != 4 || o.extendedL2() || o.lazyRefcounts())) {
            throw new ImageException("refcount_bits other than 16, extended_l2 and lazy_refcounts need compat=1.1");
        }
        if (o.extendedL2() && clusterBits < 14) {
            throw new ImageException("extended_l2 needs a cluster size of at least 16 KiB");
        }
        if (o.size() < 0) {
            throw new ImageException("image size must not be negative");
        }
        if (o.backingFormat() != null && o.backingFile() == null) {
            throw new ImageException("a backing format needs a backing file");
        }
        // QEMU addresses whole 512-byte sectors, and qemu-img create rounds the size up to them
        long size = (o.size() + 511) & ~511L;
        Geometry g = new Geometry(clusterBits, o.extendedL2(), order);
        long l1Entries = g.l1EntriesFor(size);
        if (l1Entries * 8 > Header.MAX_L1_BYTES) {
            throw new ImageException("image size is too large for a cluster size of " + o.clusterSize());
        }

        byte[] header = encodeHeader(o, v3, clusterBits, order);
        if (header.length > g.clusterSize) {
            throw new ImageException("header, extensions and backing file name do not fit in one cluster");
        }
        long l1Clusters = g.clustersFor(l1Entries * 8);
        // Fixed point: blocks must count themselves and the table that points to them.
        long blocks = 1;
        long tableClusters = 1;
        while (true) {
            long total = 1 + tableClusters + blocks + l1Clusters;
            long needBlocks = (total + g.refcountsPerBlock - 1) / g.refcountsPerBlock;
            long needTable = g.clustersFor(needBlocks * 8);
            if (needBlocks == blocks && needTable == tableClusters) {
                break;
            }
            blocks = needBlocks;
            tableClusters = needTable;
        }
        long tableOff = g.clusterOffset(1);
        long blocksOff = g.clusterOffset(1 + tableClusters);
        long l1Off = l1Entries == 0 ? 0 : g.clusterOffset(1 + tableClusters + blocks);
        long total = 1 + tableClusters + blocks + l1Clusters;

        Bytes.put64(header, 24, size);
        Bytes.put32(header, 36, l1Entries);
        Bytes.put64(header, 40, l1Off);
        Bytes.put64(header, 48, tableOff);
        Bytes.put32(header, 56, tableClusters);

        byte[] table = new byte[(int) (tableClusters * g.clusterSize)];
        for (int b = 0; b < blocks; b++) {
            Bytes.put64(table, b * 8, blocksOff + (long) b * g.clusterSize);
        }
        byte[] refBlocks = new byte[(int) (blocks * g.clusterSize)];
        for (long c = 0; c < total; c++) {
            // consecutive blocks encode consecutive clusters, so one index spans them all
            RefcountBlock.set(refBlocks, (int) c, order, 1);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            try {
                write(ch, 0, header);
                write(ch, tableOff, table);
                write(ch, blocksOff, refBlocks);
                if (l1Entries > 0) {
                    write(ch, l1Off, new byte[(int) (l1Clusters * g.clusterSize)]);
                }
                ch.force(true);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(path);
                throw e;
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new ImageException("file already exists");
        }
    }

    private static byte[] encodeHeader(CreateOptions o, boolean v3, int clusterBits, int order)
            throws ImageException {
        int headerLength = v3 ? 112 : Header.V2_LENGTH;
        ByteBuffer b = ByteBuffer.allocate(1 << clusterBits);
        b.putInt(0, Header.MAGIC);
        b.putInt(4, v3 ? 3 : 2);
        b.putInt(20, clusterBits);
        if (v3) {
            long incompat = o.extendedL2() ? Header.INCOMPAT_EXTL2 : 0;
            b.putLong(72, incompat);
            b.putLong(80, o.lazyRefcounts() ? Header.COMPAT_LAZY_REFCOUNTS : 0);
            b.putInt(96, order);
            b.putInt(100, headerLength);
        }
        int off = headerLength;
        int room = (1 << clusterBits) - 8 - 16 - (o.backingFile() == null ? 0 : 1023);
        if (o.backingFormat() != null && o.backingFormat().length() > Math.min(room, 64)) {
            throw new ImageException("backing format name is too long");
        }
        if (o.backingFormat() != null) {
            off = putExtension(b, off, HeaderExtension.BACKING_FORMAT, o.backingFormat().getBytes(StandardCharsets.UTF_8));
        }
        if (v3) {
            off = putExtension(b, off, HeaderExtension.FEATURE_TABLE, FeatureNames.table());
        }
        off = putExtension(b, off, 0, new byte[0]);
        if (o.backingFile() != null) {
            byte[] name = o.backingFile().getBytes(StandardCharsets.UTF_8);
            if (name.length > 1023) {
                throw new ImageException("backing file name is longer than 1023 bytes");
            }
            b.putLong(8, off);
            b.putInt(16, name.length);
            b.put(off, name);
            off += name.length;
        }
        byte[] out = new byte[off];
        b.get(0, out);
        return out;
    }

    private static int putExtension(ByteBuffer b, int off, int type, byte[] data) {
        b.putInt(off, type);
        b.putInt(off + 4, data.length);
        b.put(off + 8, data);
        return off + 8 + ((data.length + 7) & ~7);
    }

    private static void write(FileChannel ch, long off, byte[] data) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(data);
        long pos = off;
        while (bb.hasRemaining()) {
            pos += ch.write(bb, pos);
        }
    }
}
