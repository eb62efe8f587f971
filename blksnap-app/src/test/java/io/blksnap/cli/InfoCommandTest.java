package io.blksnap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code blksnap info} against {@code qemu-img info --output=json}. */
class InfoCommandTest {

    @TempDir
    Path dir;

    @BeforeEach
    void requireQemu() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
    }

    @Test
    void jsonAgreesWithQemuImgInfo() throws Exception {
        for (String opts : List.of("cluster_size=64k", "cluster_size=4k,refcount_bits=8,lazy_refcounts=on",
                "compat=0.10", "extended_l2=on,cluster_size=32k", "refcount_bits=1")) {
            Path img = dir.resolve(opts.replaceAll("[^a-z0-9]", "_") + ".qcow2");
            Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, img.toString(), "256M").ok();
            Qemu.io(img, "write -P 1 0 2M");
            if (!opts.equals("refcount_bits=1")) { // a 1-bit refcount cannot count a snapshot's reference
                Qemu.img("snapshot", "-c", "snap one", img.toString()).ok();
            }
            assertAgrees(img);
        }
    }

    @Test
    void jsonShowsTheBackingChain() throws Exception {
        Path base = dir.resolve("base.raw");
        Files.write(base, new byte[8 << 20]);
        Path mid = dir.resolve("mid.qcow2");
        Path top = dir.resolve("top.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "base.raw", "-F", "raw", mid.toString()).ok();
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", top.toString()).ok();
        JsonNode ours = assertAgrees(top);
        JsonNode chain = ours.get("backingChain");
        assertEquals(2, chain.size());
        assertEquals(mid.toString(), chain.get(0).get("filename").asText());
        assertEquals("qcow2", chain.get(0).get("format").asText());
        assertEquals(base.toString(), chain.get(1).get("filename").asText());
        assertEquals("raw", chain.get(1).get("format").asText());
        assertEquals(8L << 20, chain.get(1).get("virtualSize").asLong());
    }

    @Test
    void textShowsQemuImgsSizeLine() throws Exception {
        for (String size : List.of("512", "1000k", "1023k", "1.5M", "999M", "1G", "1.25G", "10G", "3T")) {
            Path img = dir.resolve("s" + size + ".qcow2");
            Qemu.img("create", "-q", "-f", "qcow2", img.toString(), size).ok();
            String expected = line(Qemu.img("info", "-U", img.toString()).ok().out(), "virtual size:");
            Blksnap.Run r = Blksnap.run("info", img.toString()).ok();
            assertEquals(expected, line(r.out(), "virtual size:"));
            assertTrue(r.out().contains("cluster_size: 65536"), r.out());
        }
    }

    @Test
    void failuresAreOneLine() throws Exception {
        Path missing = dir.resolve("missing.qcow2");
        assertEquals("No such file or directory", Errors.assertOneLine(Blksnap.run("info", missing.toString()),
                missing.toString()));
        Path junk = dir.resolve("junk.img");
        Files.writeString(junk, "this is not a qcow2 image at all, just some text\n".repeat(100));
        Errors.assertOneLine(Blksnap.run("info", "--json", junk.toString()), junk.toString());
        Errors.assertOneLine(Blksnap.run("info", dir.toString()), dir.toString());
        assertFalse(Files.exists(missing));
    }

    private JsonNode assertAgrees(Path img) throws Exception {
        JsonNode q = Images.qemuInfo(img);
        JsonNode qd = q.get("format-specific").get("data");
        Blksnap.Run r = Blksnap.run("info", "--json", img.toString()).ok();
        assertEquals("", r.err());
        JsonNode o = Images.json(r.out());
        assertEquals(img.toString(), o.get("filename").asText());
        assertEquals(q.get("format").asText(), o.get("format").asText());
        assertEquals(q.get("virtual-size").asLong(), o.get("virtualSize").asLong());
        assertEquals(q.get("cluster-size").asInt(), o.get("clusterSize").asInt());
        assertEquals(q.get("dirty-flag").asBoolean(), o.get("dirty").asBoolean());
        assertEquals(qd.get("compat").asText(), o.get("compat").asText());
        assertEquals(qd.get("refcount-bits").asInt(), o.get("refcountBits").asInt());
        assertEquals(qd.path("corrupt").asBoolean(false), o.get("corrupt").asBoolean());
        assertEquals(qd.path("extended-l2").asBoolean(false), o.get("extendedL2").asBoolean());
        assertEquals(qd.path("lazy-refcounts").asBoolean(false), o.get("lazyRefcounts").asBoolean());
        assertEquals(qd.path("compression-type").asText("zlib"), o.get("compressionType").asText());
        assertEquals(q.has("encrypted") && q.get("encrypted").asBoolean(), o.get("encrypted").asBoolean());
        assertEquals(q.path("backing-filename").textValue(), o.get("backingFile").textValue());
        assertEquals(q.path("backing-filename-format").textValue(), o.get("backingFormat").textValue());
        if (q.has("full-backing-filename")) {
            assertEquals(q.get("full-backing-filename").asText(), o.get("backingChain").get(0).get("filename").asText());
        }
        assertEquals(Files.size(img), o.get("fileLength").asLong());
        JsonNode qs = q.path("snapshots");
        assertEquals(qs.size(), o.get("snapshotCount").asInt());
        assertEquals(qs.size(), o.get("snapshots").size());
        for (int i = 0; i < qs.size(); i++) {
            assertEquals(qs.get(i).get("id").asText(), o.get("snapshots").get(i).get("id").asText());
            assertEquals(qs.get(i).get("name").asText(), o.get("snapshots").get(i).get("name").asText());
            assertEquals(qs.get(i).get("date-sec").asLong(), o.get("snapshots").get(i).get("dateSec").asLong());
        }
        // whole host clusters in use, at most the file (whose last cluster QEMU may write only in part)
        long allocated = o.get("allocatedBytes").asLong();
        long cluster = o.get("clusterSize").asLong();
        assertEquals(0, allocated % cluster, r.out());
        assertTrue(allocated > 0 && allocated <= (Files.size(img) + cluster - 1) / cluster * cluster, r.out());
        return o;
    }

    private static String line(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line " + prefix + " in\n" + text));
    }
}
