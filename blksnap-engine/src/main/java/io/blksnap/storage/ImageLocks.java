package io.blksnap.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU's image locking protocol: byte 100+p of the image is read-locked by whoever holds
 * permission p, byte 200+p by whoever refuses to share it (p = 0 consistent read, 1 write,
 * 2 write unchanged, 3 resize). QEMU uses OFD locks; Java's POSIX record locks conflict with
 * them on Linux, so a probe for an exclusive lock sees a running QEMU and a running QEMU sees us.
 */
final class ImageLocks {

    private static final long PERM_BASE = 100;
    private static final long SHARED_BASE = 200;
    private static final int CONSISTENT_READ = 0;
    private static final int WRITE = 1;
    private static final int RESIZE = 3;

    private final List<FileLock> held;

    private ImageLocks(List<FileLock> held) {
        this.held = held;
    }

    static ImageLocks acquireForWrite(FileChannel ch, Path path) throws IOException {
        // Someone writing (100+1) or refusing to share writes (200+1) means we must not write.
        probeFree(ch, path, PERM_BASE + WRITE, "write");
        probeFree(ch, path, SHARED_BASE + WRITE, "write");
        // We also need consistent reads and resize not to be unshared by anyone else.
        probeFree(ch, path, SHARED_BASE + CONSISTENT_READ, "consistent read");
        probeFree(ch, path, SHARED_BASE + RESIZE, "resize");
        List<FileLock> held = new ArrayList<>();
        try {
            // What we hold: consistent read and write; what we refuse to share: write and resize.
            for (long b : new long[] {PERM_BASE + CONSISTENT_READ, PERM_BASE + WRITE,
                    SHARED_BASE + WRITE, SHARED_BASE + RESIZE}) {
                FileLock l = ch.tryLock(b, 1, true);
                if (l == null) {
                    throw new ImageInUseException(path, "image is in use: another process took its locks just now");
                }
                held.add(l);
            }
        } catch (IOException | RuntimeException e) {
            for (FileLock l : held) {
                l.release();
            }
            throw e;
        }
        return new ImageLocks(held);
    }

    private static void probeFree(FileChannel ch, Path path, long b, String what) throws IOException {
        FileLock probe;
        try {
            probe = ch.tryLock(b, 1, false);
        } catch (OverlappingFileLockException e) {
            throw new ImageInUseException(path, "it is already open for writing in this process");
        }
        if (probe == null) {
            throw new ImageInUseException(path, "image is in use: another process (a running QEMU?) holds its \""
                    + what + "\" lock");
        }
        probe.release();
    }

    void release() throws IOException {
        for (FileLock l : held) {
            if (l.isValid()) {
                l.release();
            }
        }
    }
}
