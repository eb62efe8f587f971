package io.blksnap.txn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blksnap.group.GroupOperations;
import io.blksnap.group.OverlayNaming;
import io.blksnap.group.SnapshotKind;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * External snapshot chains for the tests of external delete, revert and undo, with QEMU as the
 * oracle: {@link #build} makes points s1..s(n-1) with the engine and writes each layer with
 * qemu-io; {@link #contents} is what QEMU reads through every device and every point, to compare
 * before and after a change.
 */
final class ChainOracle {

    private ChainOracle() {
    }

    /**
     * Points s1..s(layers-1) on every device of {@code f}'s group "g", each layer written by qemu-io
     * at overlapping places (data, zeros, a discard), so merges meet every kind of cluster.
     */
    static void build(GroupFixture f, int layers) throws Exception {
        try (SnapshotEngine engine = f.engine()) {
            GroupOperations ops = new GroupOperations(engine);
            for (int k = 1; k < layers; k++) {
                TransactionResult r = ops.snapshot("g", "s" + k, SnapshotKind.EXTERNAL, Instant.now());
                assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
                for (String d : f.devices) {
                    Qemu.io(engine.registry().activeImage(d),
                            "write -P " + (0x20 + k) + " " + (k * 384) + "k 512k",
                            "write -z " + (k * 128) + "k 64k",
                            "discard " + (2048 + k * 64) + "k 64k",
                            "write -P " + (0x40 + k) + " " + (3000 + k) + "k 4k");
                }
            }
        }
    }

    /** The overlay that names point {@code name} of {@code device}. */
    static Path overlay(GroupFixture f, String device, String name) throws IOException {
        return OverlayNaming.overlayFor(f.registry().device(device), name);
    }

    /**
     * SHA-256 of what QEMU reads: "dev:DEVICE" through the device's active image, "DEVICE:NAME"
     * through each point (its overlay's backing image) still in the device's chain.
     */
    static Map<String, String> contents(GroupFixture f, Path tmp) throws Exception {
        DeviceRegistry reg = f.registry();
        Map<String, String> out = new LinkedHashMap<>();
        for (String d : f.devices) {
            List<Path> chain = chain(reg.activeImage(d));
            out.put("dev:" + d, read(chain.get(0), tmp));
            for (int k = 1; k < 10; k++) {
                int at = chain.indexOf(overlay(f, d, "s" + k));
                if (at >= 0) {
                    out.put(d + ":s" + k, read(chain.get(at + 1), tmp));
                }
            }
        }
        return out;
    }

    private static String read(Path image, Path tmp) throws Exception {
        Path raw = Qemu.toRaw(image, null, tmp);
        try {
            return Hashes.sha256(raw);
        } finally {
            Files.delete(raw);
        }
    }

    /** The chain as {@code qemu-img info --backing-chain} reports it, active first. */
    static List<Path> chain(Path active) throws Exception {
        Qemu.Result r = Qemu.img("info", "-U", "--backing-chain", "--output=json", active.toString()).ok();
        List<Path> out = new ArrayList<>();
        for (JsonNode layer : new ObjectMapper().readTree(r.out())) {
            out.add(Path.of(layer.get("filename").asText()).toAbsolutePath().normalize());
        }
        return out;
    }

    /** The device's chain as QEMU reports it equals {@code expected} (active first). */
    static void assertChain(GroupFixture f, String device, List<Path> expected) throws Exception {
        assertEquals(expected, chain(f.registry().activeImage(device)), device + ": qemu-img info --backing-chain");
    }

    /** Every qcow2 file under the fixture checks clean, and the overlay directories hold only {@code files}. */
    static void assertFiles(GroupFixture f, String device, List<Path> files) throws Exception {
        f.assertAllClean();
        try (var s = Files.list(f.overlayDir(device))) {
            assertEquals(files.stream().sorted().toList(), s.sorted().toList(), device + ": overlay files");
        }
    }
}
