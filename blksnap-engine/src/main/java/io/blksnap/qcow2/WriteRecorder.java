package io.blksnap.qcow2;

import io.blksnap.storage.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Passes writes through, first keeping the old bytes of every write inside the file's length at
 * the start, so a change that writes as it goes (a merge streams its data clusters) can still be
 * abandoned byte for byte: {@link #restore()}. Free clusters inside the file hold stale bytes, so
 * those bytes are kept too; growth past the old end is cut by the restore.
 */
final class WriteRecorder implements Storage {

    private final Storage inner;
    private final long length;
    private final List<Long> offsets = new ArrayList<>();
    private final List<byte[]> old = new ArrayList<>();

    WriteRecorder(Storage inner) throws IOException {
        this.inner = inner;
        this.length = inner.size();
    }

    Storage inner() {
        return inner;
    }

    /** Puts back everything written through this recorder (see {@link ImageChange.Restore#run}). */
    ImageChange.Restore restore() {
        return ImageChange.Restore.of(inner, length, offsets, old);
    }

    @Override
    public void write(long offset, byte[] data) throws IOException {
        long end = Math.min(length, offset + data.length);
        if (offset < end) {
            byte[] b = new byte[(int) (end - offset)];
            inner.read(offset, b);
            offsets.add(offset);
            old.add(b);
        }
        inner.write(offset, data);
    }

    @Override
    public void read(long offset, byte[] buf) throws IOException {
        inner.read(offset, buf);
    }

    @Override
    public void flush() throws IOException {
        inner.flush();
    }

    @Override
    public long size() throws IOException {
        return inner.size();
    }

    @Override
    public void truncate(long length) throws IOException {
        inner.truncate(length);
    }

    /** The recorder does not own the image's storage. */
    @Override
    public void close() {
    }
}
