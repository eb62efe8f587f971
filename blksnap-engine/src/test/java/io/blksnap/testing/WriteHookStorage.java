package io.blksnap.testing;

import io.blksnap.storage.Storage;

import java.io.IOException;

/**
 * A storage that asks a hook before every write (optionally every truncate too), to fail or halt
 * there, and forwards everything else.
 */
public final class WriteHookStorage implements Storage {

    /** Called before each write; throwing (or halting) stops the write. */
    @FunctionalInterface
    public interface Hook {
        void beforeWrite(long offset, byte[] data) throws IOException;
    }

    private final Storage inner;
    private final Hook hook;
    private final boolean truncates;

    public WriteHookStorage(Storage inner, Hook hook) {
        this(inner, hook, false);
    }

    /** With {@code truncates}, the hook is also asked before each truncate (new length, no data). */
    public WriteHookStorage(Storage inner, Hook hook, boolean truncates) {
        this.inner = inner;
        this.hook = hook;
        this.truncates = truncates;
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
        if (truncates) {
            hook.beforeWrite(length, new byte[0]);
        }
        inner.truncate(length);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
