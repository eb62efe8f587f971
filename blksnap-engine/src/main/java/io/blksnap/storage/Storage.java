package io.blksnap.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Positional byte storage under an image. Kept this small so tests can wrap it to inject faults
 * after any single write: the engine performs every image change through {@link #write}.
 */
public interface Storage extends Closeable {

    /** Reads exactly {@code buf.length} bytes at {@code offset}; bytes past the end read as zero. */
    void read(long offset, byte[] buf) throws IOException;

    void write(long offset, byte[] data) throws IOException;

    /**
     * Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst}, advancing its
     * position; bytes past the end read as zero. For bulk data (a merge's clusters): a file
     * reads straight into a direct buffer, without the copy a heap array costs.
     */
    default void read(long offset, ByteBuffer dst) throws IOException {
        byte[] b = new byte[dst.remaining()];
        read(offset, b);
        dst.put(b);
    }

    /**
     * Writes {@code src.remaining()} bytes at {@code offset}, advancing its position. By default
     * through {@link #write(long, byte[])}, so a wrapper that overrides only that still sees every
     * write.
     */
    default void write(long offset, ByteBuffer src) throws IOException {
        byte[] b = new byte[src.remaining()];
        src.get(b);
        write(offset, b);
    }

    /**
     * Copies {@code length} bytes of {@code src} at {@code srcOffset} to {@code offset} here, as
     * a read of {@code src} and a {@link #write} here would (a wrapper sees that write). A file
     * copies from a file inside the kernel, without passing the bytes through the JVM.
     */
    default void copyFrom(Storage src, long srcOffset, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        src.read(srcOffset, b);
        write(offset, b.flip());
    }

    /** Makes every completed write durable (fdatasync). */
    void flush() throws IOException;

    /**
     * A hint for long streams of writes (a merge): starts making the completed writes durable in
     * the background, so the disk works while more is written and the {@link #flush} that follows
     * has less left to do. Only {@link #flush} promises anything; it also reports a failure of
     * such a background flush. Does nothing by default.
     */
    default void startFlush() throws IOException {
    }

    long size() throws IOException;

    /** Cuts the storage back to {@code length} bytes (used to undo growth after a failed change). */
    void truncate(long length) throws IOException;

    @Override
    void close() throws IOException;
}
