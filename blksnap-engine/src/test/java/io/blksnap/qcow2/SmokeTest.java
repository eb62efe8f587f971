package io.blksnap.qcow2;

import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeTest {

    @TempDir
    Path dir;

    @Test
    void createDeleteApplyRoundTrip() throws Exception {
        Path img = dir.resolve("a.qcow2");
        Qemu.img("create", "-f", "qcow2", img.toString(), "64M").ok();
        Qemu.io(img, "write -P 1 0 1M", "write -P 2 8M 64k");
        Path before = Qemu.toRaw(img, null, dir);
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.createSnapshot(NewSnapshot.now("s1"));
        }
        System.out.println(Qemu.check(img));
        Qemu.assertClean(img);
        assertEquals(List.of("s1"), Qemu.snapshotNames(img));
        Qemu.io(img, "write -P 3 0 2M");
        Qemu.assertClean(img);
        assertEquals(-1, Files.mismatch(before, Qemu.toRaw(img, "s1", dir)));
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.applySnapshot(SnapshotRef.byName("s1"));
        }
        System.out.println(Qemu.check(img));
        Qemu.assertClean(img);
        assertEquals(-1, Files.mismatch(before, Qemu.toRaw(img, null, dir)));
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.deleteSnapshot(SnapshotRef.byName("s1"));
        }
        System.out.println(Qemu.check(img));
        Qemu.assertClean(img);
        assertEquals(List.of(), Qemu.snapshotNames(img));
        assertEquals(-1, Files.mismatch(before, Qemu.toRaw(img, null, dir)));
    }
}
