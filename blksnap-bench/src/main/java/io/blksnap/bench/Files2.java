package io.blksnap.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Image file chores: durable copies and clean-up. */
final class Files2 {

    private Files2() {
    }

    /**
     * Copies {@code from} to {@code to} (in the kernel: no heap, fine under -Xmx64m) and fsyncs
     * the copy, so no timed operation pays for flushing what setup left dirty.
     */
    static void copyDurably(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        sync(to);
    }

    /** Writes {@code size} bytes of {@code pattern} (through one small direct buffer: no heap). */
    static void writePattern(Path file, long size, byte pattern) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
        while (buf.hasRemaining()) {
            buf.put(pattern);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long pos = 0;
            while (pos < size) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), size - pos));
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
            }
        }
    }

    static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static long sizeMiB(Path file) throws IOException {
        return Files.size(file) >> 20;
    }
}
