package io.blksnap.storage;

import java.io.Closeable;
import java.io.IOException;

/**
 * Positional byte storage under an image. Kept this small so tests can wrap it to inject faults
 * after any single write: the engine performs every image change through {@link #write}.
 */
public interface Storage extends Closeable {

    /** Reads exactly {@code buf.length} bytes at {@code offset}; bytes past the end read as zero. */
    void read(long offset, byte[] buf) throws IOException;

    void write(long offset, byte[] data) throws IOException;

    /** Makes every completed write durable (fdatasync). */
    void flush() throws IOException;

    long size() throws IOException;

    /** Cuts the storage back to {@code length} bytes (used to undo growth after a failed change). */
    void truncate(long length) throws IOException;

    @Override
    void close() throws IOException;
}
