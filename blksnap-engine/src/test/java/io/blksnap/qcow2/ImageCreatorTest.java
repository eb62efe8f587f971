package io.blksnap.qcow2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Images the engine creates are images QEMU accepts, describes the same way, and writes to. */
class ImageCreatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} bytes, cluster {1}, refcount {2}, compat {3}, extl2 {4}, lazy {5}")
    @CsvSource({
        "67108864, 65536, 16, 1.1, false, false",
        "67108864, 512, 64, 1.1, false, false",
        "1073741824, 512, 64, 1.1, false, false",
        "67108864, 512, 1, 1.1, false, false",
        "34359738368, 2097152, 16, 1.1, false, false",
        "67108864, 4096, 16, 0.10, false, false",
        "67108864, 65536, 16, 1.1, true, true",
        "0, 65536, 16, 1.1, false, false",
        "1000000, 16384, 8, 1.1, true, false",
    })
    void qemuAgrees(long size, int cluster, int refBits, String compat, boolean extL2, boolean lazy) throws Exception {
        Path img = dir.resolve("new.qcow2");
        Qcow2Image.create(img, CreateOptions.ofSize(size).withClusterSize(cluster).withRefcountBits(refBits)
                .withCompat(compat).withExtendedL2(extL2).withLazyRefcounts(lazy));
        Qemu.assertClean(img);
        JsonNode info = JSON.readTree(Qemu.img("info", "--output=json", img.toString()).ok().out());
        assertEquals((size + 511) / 512 * 512, info.get("virtual-size").asLong(), "rounded up to sectors, as qemu-img does");
        assertEquals(cluster, info.get("cluster-size").asInt());
        JsonNode data = info.get("format-specific").get("data");
        assertEquals(compat, data.get("compat").asText());
        if (compat.equals("1.1")) {
            assertEquals(refBits, data.get("refcount-bits").asInt());
            assertEquals(extL2, data.get("extended-l2").asBoolean());
            assertEquals(lazy, data.get("lazy-refcounts").asBoolean());
        }
        if (size >= (1 << 20)) {
            Qemu.io(img, "write -P 0x77 0 512k");
            if (refBits > 1) {
                try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
                    q.createSnapshot(NewSnapshot.now("s"));
                }
            }
            Qemu.assertClean(img);
        }
    }

    @Test
    void backingFileAndFormatAreRecorded() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Qcow2Image.create(base, CreateOptions.ofSize(8 << 20));
        Qemu.io(base, "write -P 0x55 0 1M");
        Path top = dir.resolve("top.qcow2");
        Qcow2Image.create(top, CreateOptions.ofSize(-1).withBacking("base.qcow2", "qcow2"));
        JsonNode info = JSON.readTree(Qemu.img("info", "--output=json", top.toString()).ok().out());
        assertEquals("base.qcow2", info.get("backing-filename").asText());
        assertEquals("qcow2", info.get("backing-filename-format").asText());
        assertEquals(8 << 20, info.get("virtual-size").asLong());
        Qemu.assertClean(top);
        try (Qcow2Image q = Qcow2Image.open(top)) {
            ImageInfo i = q.info();
            assertEquals(1, i.backingChain().size());
            assertEquals(base.toRealPath(), Path.of(i.backingChain().get(0).filename()).toRealPath());
        }
        assertEquals(-1L, Files.mismatch(Qemu.toRaw(base, null, dir), Qemu.toRaw(top, null, dir)));
    }

    @Test
    void refusesToOverwriteAndToNonsense() throws Exception {
        Path img = dir.resolve("exists.qcow2");
        Qcow2Image.create(img, CreateOptions.ofSize(1 << 20));
        byte[] before = Files.readAllBytes(img);
        assertThrows(ImageException.class, () -> Qcow2Image.create(img, CreateOptions.ofSize(1 << 20)));
        assertEquals(-1L, Files.mismatch(img, writeTemp(before)));
        Path other = dir.resolve("other.qcow2");
        assertThrows(ImageException.class, () -> Qcow2Image.create(other, CreateOptions.ofSize(1 << 20).withClusterSize(1000)));
        assertThrows(ImageException.class, () -> Qcow2Image.create(other, CreateOptions.ofSize(1 << 20).withRefcountBits(3)));
        assertThrows(ImageException.class, () -> Qcow2Image.create(other,
                CreateOptions.ofSize(1 << 20).withCompat("0.10").withRefcountBits(64)));
        assertThrows(ImageException.class, () -> Qcow2Image.create(other,
                CreateOptions.ofSize(1 << 20).withClusterSize(4096).withExtendedL2(true)));
        assertThrows(ImageException.class, () -> Qcow2Image.create(other,
                CreateOptions.ofSize(-1).withBacking("missing.qcow2", "qcow2")));
        assertFalse(Files.exists(other));
    }

    private Path writeTemp(byte[] bytes) throws Exception {
        Path p = Files.createTempFile(dir, "copy", ".bin");
        Files.write(p, bytes);
        return p;
    }
}
