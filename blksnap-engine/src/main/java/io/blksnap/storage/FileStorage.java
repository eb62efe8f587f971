package io.blksnap.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * {@link Storage} over a file channel, holding QEMU's image locks for as long as it is open for
 * writing. Within one JVM, open images only through this class (see {@link OpenFiles}).
 */
public final class FileStorage implements Storage {

    private final OpenFiles.Handle handle;
    private final FileChannel channel;
    /** The background flush {@link #startFlush} began last (null: none), and how it failed. */
    private Thread flushing;
    private volatile IOException flushFailure;

    private FileStorage(OpenFiles.Handle handle) {
        this.handle = handle;
        this.channel = handle.channel;
    }

    /**
     * Opens an image read-only (taking no lock, like {@code qemu-img info -U}) or for writing,
     * in which case QEMU's write locks are tested and taken first.
     */
    public static FileStorage open(Path path, boolean writable) throws IOException {
        return new FileStorage(OpenFiles.open(path, writable));
    }

    /**
     * Fails with {@link ImageInUseException} when another process holds {@code path} the way a
     * running QEMU does; changes nothing. A writer inside this process does not count: callers
     * order themselves with their own locks.
     */
    public static void probeWritable(Path path) throws IOException {
        OpenFiles.probe(path);
    }

    @Override
    public void read(long offset, byte[] buf) throws IOException {
        read(offset, ByteBuffer.wrap(buf));
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                break;
            }
            pos += n;
        }
    }

    @Override
    public void write(long offset, byte[] data) throws IOException {
        write(offset, ByteBuffer.wrap(data));
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        long pos = offset;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    @Override
    public void copyFrom(Storage src, long srcOffset, long offset, int length) throws IOException {
        if (!(src instanceof FileStorage from) || srcOffset + length > from.channel.size()) {
            Storage.super.copyFrom(src, srcOffset, offset, length);
            return;
        }
        // sendfile: writes at this channel's position, which nothing else here uses (all other
        // I/O is positional), so moving it disturbs nothing.
        channel.position(offset);
        long done = 0;
        while (done < length) {
            long n = from.channel.transferTo(srcOffset + done, length - done, channel);
            if (n <= 0) {
                throw new IOException("copy of " + length + " bytes stopped after " + done);
            }
            done += n;
        }
    }

    @Override
    public void flush() throws IOException {
        awaitBackgroundFlush();
        channel.force(false);
    }

    /** One at a time, on its own thread: positional writes go on meanwhile (they take no lock a force holds). */
    @Override
    public void startFlush() throws IOException {
        if (flushing != null && flushing.isAlive()) {
            return;
        }
        awaitBackgroundFlush();
        Thread t = new Thread(() -> {
            try {
                channel.force(false);
            } catch (IOException e) {
                flushFailure = e;
            }
        }, "blksnap-flush");
        t.setDaemon(true);
        t.start();
        flushing = t;
    }

    /**
     * Waits for the background flush and reports its failure: after a failed fdatasync the kernel
     * may drop the failed pages and let the next one succeed, so the failure must not be lost.
     */
    private void awaitBackgroundFlush() throws IOException {
        Thread t = flushing;
        if (t != null) {
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            flushing = null;
        }
        IOException e = flushFailure;
        if (e != null) {
            flushFailure = null;
            throw new IOException("a background flush failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public void truncate(long length) throws IOException {
        if (channel.size() > length) {
            channel.truncate(length);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            awaitBackgroundFlush();
        } finally {
            handle.close();
        }
    }
}
