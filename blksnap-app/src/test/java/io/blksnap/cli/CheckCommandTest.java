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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code blksnap check}: qemu-img check's verdicts and exit codes on clean, leaky and corrupt images. */
class CheckCommandTest {

    @TempDir
    Path dir;

    Path img;
    String name;

    @BeforeEach
    void image() throws Exception {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
        img = dir.resolve("disk.qcow2");
        name = img.toString();
        Qemu.img("create", "-q", "-f", "qcow2", name, "64M").ok();
        Qemu.io(img, "write -P 1 0 1M");
        Qemu.img("snapshot", "-c", "s", name).ok();
        Qemu.io(img, "write -P 2 0 64k");
    }

    @Test
    void cleanImageExitsZero() throws Exception {
        Qemu.assertClean(img);
        Blksnap.Run r = Blksnap.run("check", name);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("No errors were found on the image.\n"), r.out());
        assertTrue(r.out().contains("Image end offset: "), r.out());
        JsonNode j = Images.json(Blksnap.run("check", "--json", name).ok().out());
        assertEquals(List.of("filename", "format", "leakedClusters", "corruptions", "repairedLeaks",
                "imageEndOffset", "totalClusters", "allocatedClusters", "messages"), fields(j));
        assertEquals(name, j.get("filename").asText());
        assertEquals(0, j.get("leakedClusters").asLong());
        assertEquals(0, j.get("corruptions").asLong());
        assertEquals(0, j.get("messages").size());
        JsonNode q = Images.json(Qemu.img("check", "--output=json", "-U", name).ok().out());
        assertEquals(q.get("image-end-offset").asLong(), j.get("imageEndOffset").asLong());
        assertEquals(q.get("total-clusters").asLong(), j.get("totalClusters").asLong());
        assertEquals(q.get("allocated-clusters").asLong(), j.get("allocatedClusters").asLong());
    }

    @Test
    void leakedClusterExitsThreeAndRepairCleansIt() throws Exception {
        Images.setRefcount(img, 0, 2); // the header cluster, referenced once
        assertEquals(3, Qemu.check(img).exit(), "QEMU agrees the image only leaks");
        Blksnap.Run r = Blksnap.run("check", name);
        assertEquals(3, r.exit(), r.toString());
        assertTrue(r.out().contains("1 leaked clusters were found on the image."), r.out());
        assertTrue(r.out().contains("Leaked cluster 0 refcount=2 reference=1"), r.out());
        Blksnap.Run j = Blksnap.run("check", "--json", name);
        assertEquals(3, j.exit());
        assertEquals(1, Images.json(j.out()).get("leakedClusters").asLong());
        assertEquals(0, Images.json(j.out()).get("corruptions").asLong());

        Blksnap.Run fixed = Blksnap.run("check", "--repair", "leaks", name);
        assertEquals(0, fixed.exit(), fixed.toString());
        assertTrue(fixed.out().contains("1 leaked clusters\n"), fixed.out());
        assertTrue(fixed.out().contains("No errors were found on the image."), fixed.out());
        Qemu.assertClean(img);
        assertEquals(List.of("s"), Qemu.snapshotNames(img));
        Qemu.io(img, "read -P 2 0 64k", "read -P 1 64k 960k");
    }

    @Test
    void repairWithJsonReportsTheRepairedLeaks() throws Exception {
        Images.setRefcount(img, 0, 3);
        Blksnap.Run r = Blksnap.run("check", "--json", "--repair", "leaks", name);
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = Images.json(r.out());
        assertEquals(1, j.get("repairedLeaks").asLong());
        assertEquals(0, j.get("leakedClusters").asLong());
        Qemu.assertClean(img);
    }

    @Test
    void corruptImageExitsTwo() throws Exception {
        long cluster = Images.hostOffset(img, 0) >> 16;
        Images.setRefcount(img, cluster, 0); // a data cluster the active image uses
        assertEquals(2, Qemu.check(img).exit(), "QEMU agrees the image is corrupt");
        String before = Images.sha256(img);
        Blksnap.Run r = Blksnap.run("check", name);
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.out().contains("errors were found on the image."), r.out());
        assertTrue(r.out().contains("ERROR cluster " + cluster + " refcount=0 reference=1"), r.out());
        JsonNode j = Images.json(Blksnap.run("check", "--json", name).out());
        assertTrue(j.get("corruptions").asLong() > 0, j.toString());
        // repairing leaks leaves corruption alone and still says so
        Blksnap.Run repaired = Blksnap.run("check", "--repair", "leaks", name);
        assertEquals(2, repaired.exit(), repaired.toString());
        assertEquals(before, Images.sha256(img));
    }

    @Test
    void checkThatCannotRunExitsOne() throws Exception {
        Path missing = dir.resolve("missing.qcow2");
        Errors.assertOneLine(Blksnap.run("check", missing.toString()), missing.toString());
        Path junk = dir.resolve("junk.img");
        Files.write(junk, new byte[1 << 16]);
        Errors.assertOneLine(Blksnap.run("check", "--json", junk.toString()), junk.toString());
        Errors.assertOneLine(Blksnap.run("check", "--repair", "leaks", junk.toString()), junk.toString());
        Blksnap.Run usage = Blksnap.run("check", "--repair", "all", name);
        assertEquals(2, usage.exit(), usage.toString());
    }

    private static List<String> fields(JsonNode o) {
        List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
