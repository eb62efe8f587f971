package io.blksnap.qcow2;

import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our check classifies leaks and corruptions exactly as {@code qemu-img check} does. */
class CheckerTest {

    @TempDir
    Path dir;

    private static int ours(Path img) throws Exception {
        try (Qcow2Image q = Qcow2Image.open(img)) {
            return q.check().exitCode();
        }
    }

    private Path imageWithData(String opts) throws Exception {
        Path img = dir.resolve("c.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, img.toString(), "16M").ok();
        Qemu.io(img, "write -P 1 0 1M", "write -c -P 2 2M 2M");
        Qemu.img("snapshot", "-c", "s", img.toString()).ok();
        Qemu.io(img, "write -P 3 0 64k");
        return img;
    }

    @Test
    void cleanImagesAreClean() throws Exception {
        for (String opts : new String[] {"cluster_size=512", "compat=0.10", "refcount_bits=64",
                "extended_l2=on", "cluster_size=2M"}) {
            Path img = imageWithData(opts);
            assertEquals(0, Qemu.check(img).exit(), opts);
            assertEquals(0, ours(img), opts);
            java.nio.file.Files.delete(img);
        }
    }

    @Test
    void leakLeftByAFailedQemuSnapshotIsALeakAndRepairs() throws Exception {
        Path img = dir.resolve("leak.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "refcount_bits=1", img.toString(), "16M").ok();
        Qemu.io(img, "write -P 1 0 64k");
        assertTrue(Qemu.img("snapshot", "-c", "fails", img.toString()).exit() != 0);
        assertEquals(3, Qemu.check(img).exit(), "qemu-img sees the leak it made");
        assertEquals(3, ours(img));
        String before = Hashes.sha256(img);
        try (Qcow2Image q = Qcow2Image.open(img)) {
            CheckResult r = q.check();
            assertEquals(1, r.leakedClusters());
            assertEquals(0, r.corruptions());
        }
        assertEquals(before, Hashes.sha256(img), "check is read-only");
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            CheckResult r = q.repairLeaks();
            assertEquals(1, r.repairedLeaks());
            assertEquals(0, r.exitCode());
        }
        Qemu.assertClean(img);
        assertEquals(0, ours(img));
    }

    @Test
    void missingRefcountIsACorruption() throws Exception {
        Path img = imageWithData("cluster_size=65536");
        // data cluster of guest offset 0: L1[0] -> L2 entry 0
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(40);
            long l1 = f.readLong();
            f.seek(l1);
            long l2 = f.readLong() & Geometry.L1E_OFFSET_MASK;
            f.seek(l2);
            long data = f.readLong() & Geometry.L2E_OFFSET_MASK;
            f.seek(48);
            long reft = f.readLong();
            f.seek(reft);
            long block = f.readLong();
            f.seek(block + (data >>> 16) * 2);
            f.writeShort(0);
        }
        assertEquals(2, Qemu.check(img).exit());
        assertEquals(2, ours(img));
    }

    @Test
    void wrongCopiedFlagIsACorruption() throws Exception {
        Path img = imageWithData("cluster_size=65536");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(40);
            long l1 = f.readLong();
            f.seek(l1);
            long l2 = f.readLong() & Geometry.L1E_OFFSET_MASK;
            f.seek(l2 + 8 * 2); // guest cluster 2, shared with the snapshot: COPIED must be clear
            long e = f.readLong();
            f.seek(l2 + 8 * 2);
            f.writeLong(e | Geometry.OFLAG_COPIED);
        }
        assertEquals(2, Qemu.check(img).exit());
        assertEquals(2, ours(img));
    }
}
