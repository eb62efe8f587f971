package io.blksnap.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A small ext4 file system, loop-mounted, that tests fill up to see what a full disk does. Needs
 * root and loop devices: without them the test is skipped loudly, except under CI=true, where it
 * fails (CI must prove the full-disk guarantees, not skip them). Close to unmount.
 */
public final class SmallFilesystem implements AutoCloseable {

    private final Path backing;
    private final Path mountPoint;
    private Path filler;

    private SmallFilesystem(Path backing, Path mountPoint) {
        this.backing = backing;
        this.mountPoint = mountPoint;
    }

    /** Makes and mounts an ext4 file system of {@code mib} MiB (no blocks reserved for root). */
    public static SmallFilesystem mount(Path workDir, int mib) throws IOException, InterruptedException {
        Path backing = workDir.resolve("fs.img");
        Path mnt = Files.createDirectories(workDir.resolve("mnt"));
        try (FileChannel f = FileChannel.open(backing, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.allocate(1), ((long) mib << 20) - 1); // sparse: costs no space here
        }
        Qemu.Result mkfs = Qemu.exec("mkfs.ext4", "-q", "-F", "-m", "0", backing.toString());
        Qemu.Result mount = mkfs.exit() == 0
                ? Qemu.exec("mount", "-o", "loop", backing.toString(), mnt.toString()) : mkfs;
        if (mount.exit() != 0) {
            String msg = "cannot loop-mount a small file system here (needs root and loop devices): "
                    + mount.err().strip();
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true but " + msg);
            }
            System.err.println("SKIPPED: " + msg);
            Assumptions.abort(msg);
        }
        return new SmallFilesystem(backing, mnt);
    }

    public Path root() {
        return mountPoint;
    }

    /** Bytes an ordinary write can still get. */
    public long free() throws IOException {
        return Files.getFileStore(mountPoint).getUsableSpace();
    }

    /**
     * Fills the file system until about {@code leave} bytes stay free (replacing an earlier
     * filler): one large allocation (ext4 needs room for its extent tree, so it backs off until
     * one fits), then 4 KiB blocks, synced, until no more than {@code leave} is left.
     */
    public void leaveFree(long leave) throws IOException, InterruptedException {
        release();
        filler = mountPoint.resolve(".filler");
        try {
            for (long size = free() - leave; size > 0; size -= 256 << 10) {
                if (Qemu.exec("fallocate", "-l", String.valueOf(size), filler.toString()).exit() == 0) {
                    break;
                }
            }
            try (FileChannel f = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer block = ByteBuffer.allocate(4096);
                while (free() > leave) {
                    block.clear();
                    f.write(block);
                    f.force(true);
                }
            }
        } catch (IOException e) {
            if (free() > leave) {
                release();
                throw e;
            }
            // the last block did not fit: the space is as small as it gets
        }
    }

    /** Removes the filler: the space is free again. */
    public void release() throws IOException {
        if (filler != null) {
            Files.deleteIfExists(filler);
            filler = null;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Qemu.exec("umount", mountPoint.toString());
        Files.deleteIfExists(backing);
    }
}
