package io.blksnap.qcow2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Points an image at another backing file without touching its data (the second half of
 * deleting an external snapshot: after the middle image is merged into the one below, the image
 * above is pointed at that one, which now reads the same).
 *
 * <p>Crash safe without rewriting anything in use: the new name goes into unused bytes of the
 * header cluster, after the header extensions' end marker and after the old name, and is flushed;
 * then one 12-byte write of backing_file_offset and backing_file_size (inside the first sector)
 * switches to it. The old name stays behind as unused bytes, which QEMU never reads (it stops at
 * the end marker, and rewrites the whole header cluster the next time it changes it).
 */
final class BackingSwitch {

    private BackingSwitch() {
    }

    static void run(ImageMetadata m, String name) throws IOException {
        Header h = m.header;
        if (h.backingFile == null) {
            throw new ImageException("the image has no backing file to replace");
        }
        byte[] bytes = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > 1023 || name.indexOf('\0') >= 0) {
            throw new ImageException("a backing file name must have 1 to 1023 bytes and no NUL");
        }
        long markerAt = h.headerLength;
        for (HeaderExtension e : h.extensions) {
            markerAt += 8 + ((e.data().length + 7) & ~7L);
        }
        byte[] marker = new byte[8];
        m.storage.read(markerAt, marker);
        if (Bytes.u32(marker, 0) != 0 || markerAt + 8 > h.backingFileOffset) {
            throw new UnsupportedImageException("the header extensions have no end marker before the backing "
                    + "file name; the name cannot be replaced safely");
        }
        long at = (Math.max(markerAt + 8, h.backingFileOffset + h.backingFileSize) + 7) & ~7L;
        if (at + bytes.length > h.geometry.clusterSize) {
            throw new UnsupportedImageException("no room left in the header cluster for a new backing file name");
        }
        m.storage.write(at, bytes);
        m.storage.flush();
        byte[] pointer = new byte[12];
        Bytes.put64(pointer, 0, at);
        Bytes.put32(pointer, 8, bytes.length);
        m.storage.write(8, pointer);
        m.storage.flush();
    }
}
