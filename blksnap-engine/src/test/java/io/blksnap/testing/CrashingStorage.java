package io.blksnap.testing;

import io.blksnap.storage.Storage;

import java.io.IOException;

/**
 * The fault-injection seam: lets {@code allowedWrites} writes through, then "kills the process":
 * the next write and everything after it fail, so nothing more reaches the file. Writes that
 * went through stay (a killed process's writes survive in the page cache).
 */
public final class CrashingStorage implements Storage {

    /** Thrown where the simulated process died. */
    public static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash() {
            super("simulated crash");
        }
    }

    private final Storage inner;
    private final long allowedWrites;
    private long writes;
    private boolean dead;

    public CrashingStorage(Storage inner, long allowedWrites) {
        this.inner = inner;
        this.allowedWrites = allowedWrites;
    }

    public long writes() {
        return writes;
    }

    private void alive() {
        if (dead) {
            throw new SimulatedCrash();
        }
    }

    @Override
    public void read(long offset, byte[] buf) throws IOException {
        alive();
        inner.read(offset, buf);
    }

    @Override
    public void write(long offset, byte[] data) throws IOException {
        alive();
        if (writes == allowedWrites) {
            dead = true;
            throw new SimulatedCrash();
        }
        inner.write(offset, data);
        writes++;
    }

    @Override
    public void flush() throws IOException {
        alive();
        inner.flush();
    }

    @Override
    public long size() throws IOException {
        alive();
        return inner.size();
    }

    @Override
    public void truncate(long length) throws IOException {
        alive();
        inner.truncate(length);
    }

    @Override
    public void close() throws IOException {
        inner.close(); // the kernel drops a dead process's locks
    }
}
