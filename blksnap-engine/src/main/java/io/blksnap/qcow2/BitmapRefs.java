package io.blksnap.qcow2;

import java.io.IOException;

/** Counts the clusters persistent dirty bitmaps use: directory, bitmap tables, bitmap data. */
final class BitmapRefs {

    interface Sink {
        void ref(long offset, long bytes, String what);
    }

    private static final long BME_OFFSET_MASK = 0x00fffffffffffe00L;
    private static final long MAX_DIRECTORY = 64L << 20;

    private final ImageMetadata m;
    private final Sink sink;

    BitmapRefs(ImageMetadata m, Sink sink) {
        this.m = m;
        this.sink = sink;
    }

    void walk(byte[] ext) throws IOException {
        if (ext.length < 24) {
            return;
        }
        long nb = Bytes.u32(ext, 0);
        long dirSize = Bytes.u64(ext, 8);
        long dirOff = Bytes.u64(ext, 16);
        if (dirSize > MAX_DIRECTORY || dirOff + dirSize > m.storage.size()) {
            return;
        }
        sink.ref(dirOff, dirSize, "bitmap directory");
        byte[] dir = new byte[(int) dirSize];
        m.storage.read(dirOff, dir);
        int off = 0;
        for (long i = 0; i < nb && off + 24 <= dir.length; i++) {
            long tableOff = Bytes.u64(dir, off);
            long tableSize = Bytes.u32(dir, off + 8);
            int nameSize = Bytes.u16(dir, off + 18);
            long extra = Bytes.u32(dir, off + 20);
            if (tableSize > 0 && tableOff + tableSize * 8 <= m.storage.size()) {
                sink.ref(tableOff, tableSize * 8, "bitmap table");
                byte[] table = new byte[(int) (tableSize * 8)];
                m.storage.read(tableOff, table);
                for (int j = 0; j < tableSize; j++) {
                    long data = Bytes.u64(table, j * 8) & BME_OFFSET_MASK;
                    if (data != 0) {
                        sink.ref(data, m.g.clusterSize, "bitmap data");
                    }
                }
            }
            off += (int) ((24 + extra + nameSize + 7) & ~7L);
        }
    }
}
