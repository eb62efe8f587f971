package io.blksnap.qcow2;

import io.blksnap.storage.FileStorage;
import io.blksnap.storage.Storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code qemu-img info} reports about an image, plus the backing chain below it.
 *
 * @param compat          "0.10" (v2) or "1.1" (v3)
 * @param allocatedBytes  bytes of host clusters in use (refcount above zero)
 * @param backingChain    the files below this one, nearest first; a layer that cannot be read
 *                        ends the chain with format "unreadable"
 */
public record ImageInfo(String filename, long virtualSize, int clusterSize, String compat, int refcountBits,
                        boolean extendedL2, boolean lazyRefcounts, String compressionType, boolean encrypted,
                        boolean corrupt, boolean dirty, boolean externalDataFile, String backingFile,
                        String backingFormat, List<BackingLayer> backingChain, int snapshotCount,
                        long fileLength, long allocatedBytes) {

    /** One file of a backing chain. */
    public record BackingLayer(String filename, String format, long virtualSize) {
    }

    private static final int MAX_CHAIN = 64;

    static ImageInfo of(Path path, ImageMetadata m) throws IOException {
        Header h = m.header;
        long used = 0;
        for (long c = 0; c < Math.min(m.refcounts.coveredClusters(), m.g.clustersFor(m.refcounts.fileSize())); c++) {
            if (m.refcounts.refcount(c) > 0) {
                used++;
            }
        }
        return new ImageInfo(path.toString(), h.size, m.g.clusterSize, h.version >= 3 ? "1.1" : "0.10",
                m.g.refcountBits, m.g.extendedL2, (h.compatibleFeatures & Header.COMPAT_LAZY_REFCOUNTS) != 0,
                h.compressionType == 1 ? "zstd" : "zlib", h.cryptMethod != 0, h.has(Header.INCOMPAT_CORRUPT),
                h.has(Header.INCOMPAT_DIRTY), h.has(Header.INCOMPAT_DATA_FILE), h.backingFile, h.backingFormat(),
                chain(path, h), m.snapshots.entries().size(), m.refcounts.fileSize(), used * m.g.clusterSize);
    }

    private static List<BackingLayer> chain(Path path, Header top) {
        List<BackingLayer> out = new ArrayList<>();
        Path base = path.toAbsolutePath().getParent();
        String file = top.backingFile;
        String format = top.backingFormat();
        while (file != null && out.size() < MAX_CHAIN) {
            Path p = base.resolve(file);
            if (!"qcow2".equals(format) && format != null) {
                long size = -1;
                try {
                    size = Files.size(p);
                } catch (IOException e) {
                    format = "unreadable";
                }
                out.add(new BackingLayer(p.toString(), format, size));
                break;
            }
            try (Storage st = FileStorage.open(p, false)) {
                Header h = Header.read(st);
                out.add(new BackingLayer(p.toString(), "qcow2", h.size));
                base = p.getParent();
                file = h.backingFile;
                format = h.backingFormat();
            } catch (IOException e) {
                out.add(new BackingLayer(p.toString(), "unreadable", -1));
                break;
            }
        }
        return List.copyOf(out);
    }
}
