package io.blksnap.qcow2;

import io.blksnap.storage.ImageInUseException;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** QEMU's image locks, both ways: we never write what QEMU holds, and QEMU cannot write what we hold. */
class ImageLockTest {

    @TempDir
    Path dir;

    private Path image() throws Exception {
        Path img = dir.resolve("held.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "16M").ok();
        Qemu.io(img, "write -P 9 0 1M");
        Qemu.img("snapshot", "-c", "s", img.toString()).ok();
        return img;
    }

    @Test
    void refusesEveryChangeWhileQemuIoHoldsTheImage() throws Exception {
        Path img = image();
        try (QemuHolder ignored = QemuHolder.qemuIo(img)) {
            assertRefusedAndUnchanged(img);
        }
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.createSnapshot(NewSnapshot.now("after"));
        }
        Qemu.assertClean(img);
    }

    @Test
    void refusesEveryChangeWhileARunningQemuHoldsTheImage() throws Exception {
        Path img = image();
        try (QemuHolder ignored = QemuHolder.qemuSystem(img, dir.resolve("qmp.sock"))) {
            assertRefusedAndUnchanged(img);
        }
    }

    @Test
    void qemuCannotWriteWhileWeHoldTheImage() throws Exception {
        Path img = image();
        String before = Hashes.sha256(img);
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            // reading the image inside this process must not drop our locks (POSIX lock semantics)
            try (Qcow2Image reader = Qcow2Image.open(img)) {
                assertEquals(1, reader.snapshots().size());
            }
            Qemu.Result r = Qemu.img("snapshot", "-c", "intruder", img.toString());
            assertTrue(r.exit() != 0 && r.err().contains("lock"), r.err());
            Qemu.Result io = Qemu.run("qemu-io", "-f", "qcow2", "-c", "write 0 4k", img.toString());
            assertTrue(io.exit() != 0 && io.err().contains("lock"), io.out() + io.err());
        }
        assertEquals(before, Hashes.sha256(img));
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.createSnapshot(NewSnapshot.now("ours"));
        }
        Qemu.assertClean(img);
        assertEquals(List.of("s", "ours"), Qemu.snapshotNames(img));
    }

    @Test
    void oneWriterPerImageInsideTheProcessToo() throws Exception {
        Path img = image();
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            assertThrows(ImageInUseException.class, () -> Qcow2Image.openForWrite(img));
            q.snapshots();
        }
    }

    private static void assertRefusedAndUnchanged(Path img) throws Exception {
        String before = Hashes.sha256(img);
        ImageInUseException e = assertThrows(ImageInUseException.class, () -> Qcow2Image.openForWrite(img));
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
        assertEquals(before, Hashes.sha256(img));
        // reading is still allowed, like qemu-img's -U
        try (Qcow2Image q = Qcow2Image.open(img)) {
            assertEquals(1, q.snapshots().size());
        }
        assertEquals(before, Hashes.sha256(img));
    }
}
