package io.blksnap.qcow2;

import io.blksnap.storage.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The snapshot table as a whole: where it is, its entries ({@link SnapshotEntry}) and its size in
 * bytes; read and decoded on open, encoded and written as a new table by a change.
 */
record SnapshotTable(long offset, List<SnapshotEntry> entries, long bytes) {

    /** Reads the table the header points to; {@code fileSize} bounds how far a read may go. */
    static SnapshotTable read(Storage storage, Header header, long fileSize) throws IOException {
        if (header.nbSnapshots == 0) {
            return new SnapshotTable(header.snapshotsOffset, List.of(), 0);
        }
        // Entries are at most 40 + 1024 + 2 * 65535 bytes; read in growing chunks, never past 64 MiB.
        long limit = Math.min(Header.MAX_SNAPSHOT_TABLE_BYTES, fileSize - header.snapshotsOffset);
        long want = Math.min(limit, Math.max(header.geometry.clusterSize, (long) header.nbSnapshots * 128));
        List<SnapshotEntry> parsed;
        while (true) {
            byte[] raw = new byte[(int) want];
            storage.read(header.snapshotsOffset, raw);
            try {
                parsed = decode(raw, header.nbSnapshots, header.size);
                break;
            } catch (MalformedImageException e) {
                if (want >= limit || !e.getMessage().startsWith("snapshot table is truncated")) {
                    throw want >= limit && e.getMessage().startsWith("snapshot table is truncated")
                            ? new MalformedImageException("snapshot table is larger than the file or 64 MiB")
                            : e;
                }
                want = Math.min(limit, want * 4);
            }
        }
        long bytes = 0;
        for (SnapshotEntry e : parsed) {
            bytes += e.encodedSize();
        }
        return new SnapshotTable(header.snapshotsOffset, List.copyOf(parsed), bytes);
    }

    /** Parses {@code count} entries; {@code currentSize} fills disk_size where extra data lacks it. */
    static List<SnapshotEntry> decode(byte[] table, int count, long currentSize) throws MalformedImageException {
        List<SnapshotEntry> out = new ArrayList<>(count);
        int off = 0;
        for (int i = 0; i < count; i++) {
            off = SnapshotEntry.decodeInto(table, off, i, currentSize, out);
        }
        return out;
    }

    static byte[] encode(List<SnapshotEntry> entries) {
        int total = 0;
        for (SnapshotEntry e : entries) {
            total += e.encodedSize();
        }
        byte[] out = new byte[total];
        int off = 0;
        for (SnapshotEntry e : entries) {
            off = e.encodeInto(out, off);
        }
        return out;
    }

    /** Queues a table of {@code next} in new clusters, freeing this one; returns its offset (0 if empty). */
    long replace(ImageChange change, List<SnapshotEntry> next) throws IOException {
        if (bytes > 0) {
            change.clusters.adjustRange(offset, bytes, -1);
        }
        if (next.isEmpty()) {
            return 0;
        }
        byte[] table = encode(next);
        if (table.length > Header.MAX_SNAPSHOT_TABLE_BYTES) {
            throw new UnsupportedImageException("the snapshot table would exceed 64 MiB");
        }
        return change.writeNew(table);
    }
}
