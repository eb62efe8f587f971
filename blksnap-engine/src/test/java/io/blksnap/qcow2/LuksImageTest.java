package io.blksnap.qcow2;

import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LUKS-encrypted images: snapshot operations need no key, and QEMU (with the key) agrees. */
class LuksImageTest {

    private static final String SECRET = "secret,id=sec0,data=blksnap-test-key";

    @TempDir
    Path dir;

    private static String opts(Path img) {
        return "driver=qcow2,file.filename=" + img + ",encrypt.key-secret=sec0";
    }

    private void io(Path img, String cmd) throws Exception {
        Qemu.run("qemu-io", "--object", SECRET, "--image-opts", "-c", cmd, opts(img)).ok();
    }

    private Path raw(Path img, String snapshot) throws Exception {
        Path out = Files.createTempFile(dir, "luks", ".raw");
        Files.delete(out);
        if (snapshot == null) {
            Qemu.run("qemu-img", "convert", "--object", SECRET, "--image-opts", opts(img), "-O", "raw",
                    out.toString()).ok();
        } else {
            Qemu.run("qemu-img", "convert", "--object", SECRET, "--image-opts", "-l", "snapshot.name=" + snapshot,
                    opts(img), "-O", "raw", out.toString()).ok();
        }
        return out;
    }

    private void assertClean(Path img) throws Exception {
        Qemu.Result r = Qemu.run("qemu-img", "check", "--object", SECRET, "--image-opts", opts(img));
        assertEquals(0, r.exit(), r.out() + r.err());
    }

    /**
     * A short key-derivation time keeps the test fast; QEMU times it with the CPU clock, which on
     * a busy machine can read 0 ("Unable to get accurate CPU usage"): then it is simply retried.
     */
    private static void createLuks(Path img) throws Exception {
        Qemu.Result r = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            r = Qemu.run("qemu-img", "create", "-q", "--object", SECRET, "-f", "qcow2", "-o",
                    "encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=50", img.toString(), "16M");
            if (r.exit() == 0 || !r.err().contains("accurate CPU usage")) {
                break;
            }
            Files.deleteIfExists(img);
        }
        r.ok();
    }

    @Test
    void snapshotsOfAnEncryptedImageWithoutTheKey() throws Exception {
        Path img = dir.resolve("luks.qcow2");
        createLuks(img);
        io(img, "write -P 0x61 0 2M");
        Path before = raw(img, null);
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            assertTrue(q.info().encrypted());
            q.createSnapshot(NewSnapshot.now("enc"));
            assertEquals(0, q.check().exitCode());
        }
        assertClean(img);
        io(img, "write -P 0x62 0 1M");
        assertEquals(-1L, Files.mismatch(before, raw(img, "enc")));
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.applySnapshot(SnapshotRef.byName("enc"));
        }
        assertClean(img);
        assertEquals(-1L, Files.mismatch(before, raw(img, null)));
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.deleteSnapshot(SnapshotRef.byName("enc"));
            assertEquals(0, q.check().exitCode());
        }
        assertClean(img);
    }
}
