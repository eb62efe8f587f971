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
    public void flush() throws IOException {
        channel.force(false);
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
        handle.close();
    }
}
