package io.blksnap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blksnap.testing.Qemu;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helpers: hashes, JSON from QEMU, and hand-made damage to refcounts. */
final class Images {

    static final ObjectMapper JSON = new ObjectMapper();

    private Images() {
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    /** {@code qemu-img info --output=json -U} of a qcow2 image. */
    static JsonNode qemuInfo(Path image) throws IOException, InterruptedException {
        return json(Qemu.img("info", "--output=json", "-U", image.toString()).ok().out());
    }

    /** The host offset QEMU maps guest offset {@code guest} to ({@code qemu-img map}). */
    static long hostOffset(Path image, long guest) throws IOException, InterruptedException {
        JsonNode map = json(Qemu.img("map", "--output=json", "-U", "-f", "qcow2", image.toString()).ok().out());
        for (JsonNode e : map) {
            long start = e.get("start").asLong();
            if (guest >= start && guest < start + e.get("length").asLong() && e.has("offset")) {
                return e.get("offset").asLong() + (guest - start);
            }
        }
        throw new AssertionError("guest offset " + guest + " is not allocated: " + map);
    }

    /**
     * Overwrites the stored refcount of host cluster {@code cluster} (16-bit refcounts, first
     * refcount block only), as a bit flip or a buggy writer would.
     */
    static void setRefcount(Path image, long cluster, int refcount) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.seek(20);
            int clusterBits = f.readInt();
            f.seek(4);
            int version = f.readInt();
            int order = 4;
            if (version >= 3) {
                f.seek(96);
                order = f.readInt();
            }
            assertEquals(4, order, "helper handles 16-bit refcounts only");
            long perBlock = (1L << clusterBits) * 8 / 16;
            if (cluster >= perBlock) {
                throw new AssertionError("helper handles the first refcount block only");
            }
            f.seek(48);
            long table = f.readLong();
            f.seek(table);
            long block = f.readLong() & ~0x1ffL;
            f.seek(block + cluster * 2);
            f.writeShort(refcount);
        }
    }
}
