package io.blksnap.testing;

import io.blksnap.storage.Storage;

import java.io.IOException;

/** A storage that asks a hook before every write (to fail or halt there) and forwards everything else. */
public final class WriteHookStorage implements Storage {

    /** Called before each write; throwing (or halting) stops the write. */
    @FunctionalInterface
    public interface Hook {
        void beforeWrite(long offset, byte[] data) throws IOException;
    }

    private final Storage inner;
    private final Hook hook;

    public WriteHookStorage(Storage inner, Hook hook) {
        this.inner = inner;
        this.hook = hook;
    }

    @Override
    public void read(long offset, byte[] buf) throws IOException {
        inner.read(offset, buf);
    }

    @Override
    public void write(long offset, byte[] data) throws IOException {
        hook.beforeWrite(offset, data);
        inner.write(offset, data);
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

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
