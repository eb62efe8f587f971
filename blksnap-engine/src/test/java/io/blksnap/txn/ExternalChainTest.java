package io.blksnap.txn;

import io.blksnap.group.GroupOperations;
import io.blksnap.group.GroupRequestException;
import io.blksnap.group.SnapshotKind;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.blksnap.txn.ChainOracle.assertChain;
import static io.blksnap.txn.ChainOracle.contents;
import static io.blksnap.txn.ChainOracle.overlay;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * External delete (merge), revert and undo on chains the engine built and qemu-io wrote, judged by
 * QEMU: what the device and every remaining point read ({@code qemu-img convert}), the chain
 * ({@code qemu-img info --backing-chain}) and {@code qemu-img check} of every file.
 */
class ExternalChainTest {

    @TempDir
    Path dir;

    private GroupFixture fixture(int devices) throws Exception {
        return GroupFixture.in(dir).disks(devices).size("4M").written("1M").create();
    }

    /** Chains of 2 to 5 images; deleting point {@code k}: the oldest, a middle one, the newest. */
    @ParameterizedTest(name = "{0} images, delete s{1}")
    @CsvSource({"2,1", "3,1", "3,2", "5,1", "5,2", "5,4"})
    void deletingAPointMergesItsOverlayAndChangesNothingElse(int layers, int k) throws Exception {
        GroupFixture f = fixture(1);
        ChainOracle.build(f, layers);
        Map<String, String> before = contents(f, dir);
        List<Path> chain = ChainOracle.chain(f.registry().activeImage("disk0"));
        Path gone = overlay(f, "disk0", "s" + k);

        try (SnapshotEngine engine = f.engine()) {
            TransactionResult r = new GroupOperations(engine).delete("g", "s" + k);
            assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
        }

        Map<String, String> expected = new java.util.LinkedHashMap<>(before);
        expected.remove("disk0:s" + k);
        assertEquals(expected, contents(f, dir), "the device and every other point read as before");
        List<Path> left = new ArrayList<>(chain);
        left.remove(gone);
        assertChain(f, "disk0", left);
        assertFalse(Files.exists(gone), gone + " is left");
        ChainOracle.assertFiles(f, "disk0", left.subList(0, left.size() - 1));
    }

    /** The merge writes into an image with internal snapshots: they keep their contents. */
    @Test
    void internalSnapshotsOfTheLowerImageSurviveTheMerge() throws Exception {
        GroupFixture f = fixture(1);
        Path base = f.image("disk0");
        Qemu.img("snapshot", "-c", "inner", base.toString()).ok();
        Qemu.io(base, "write -P 0x77 256k 512k");
        Path innerBefore = Qemu.toRaw(base, "inner", dir);
        ChainOracle.build(f, 3);
        Map<String, String> before = contents(f, dir);
        try (SnapshotEngine engine = f.engine()) {
            TransactionResult r = new GroupOperations(engine).delete("g", "s1");
            assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
        }
        assertEquals(List.of("inner"), Qemu.snapshotNames(base));
        Path innerAfter = Qemu.toRaw(base, "inner", dir);
        Qemu.img("compare", "-f", "raw", "-F", "raw", innerBefore.toString(), innerAfter.toString()).ok();
        before.remove("disk0:s1");
        assertEquals(before, contents(f, dir));
        f.assertAllClean();
    }

    /** Revert to s2 of base (s1) <- ov1 (s2) <- ov2 (s3) <- ov3: a new empty ov2 on ov1, ov3 removed. */
    @ParameterizedTest(name = "revert to s{0} of 4 images")
    @CsvSource({"1", "2", "3"})
    void revertingPivotsToANewOverlayOnThePointAndDropsTheLayersAbove(int k) throws Exception {
        GroupFixture f = fixture(1);
        ChainOracle.build(f, 4);
        Map<String, String> before = contents(f, dir);
        List<Path> chain = ChainOracle.chain(f.registry().activeImage("disk0"));
        Path point = overlay(f, "disk0", "s" + k);

        try (SnapshotEngine engine = f.engine()) {
            TransactionResult r = new GroupOperations(engine).apply("g", "s" + k);
            assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
            assertEquals(point, engine.registry().activeImage("disk0"));
        }

        Map<String, String> after = contents(f, dir);
        assertEquals(before.get("disk0:s" + k), after.get("dev:disk0"), "the device reads as point s" + k);
        for (int j = 1; j <= k; j++) {
            assertEquals(before.get("disk0:s" + j), after.get("disk0:s" + j), "point s" + j);
        }
        List<Path> left = chain.subList(chain.indexOf(point), chain.size());
        assertChain(f, "disk0", left);
        ChainOracle.assertFiles(f, "disk0", left.subList(0, left.size() - 1));
        Qemu.Result map = Qemu.img("map", "--output=json", point.toString()).ok();
        assertFalse(map.out().contains("\"depth\": 0"), "the new overlay holds data: " + map.out());
    }

    /** Undo of a group external snapshot: the overlays merged back (or dropped when empty), devices back on their bases. */
    @Test
    void undoMergesTheOverlaysBackAndPivotsTheDevicesBack() throws Exception {
        GroupFixture f = fixture(2);
        String id;
        try (SnapshotEngine engine = f.engine()) {
            TransactionResult r = new GroupOperations(engine).snapshot("g", "u", SnapshotKind.EXTERNAL, Instant.now());
            assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
            id = r.id();
        }
        Qemu.io(f.registry().activeImage("disk0"), "write -P 0x66 128k 1M"); // disk1's overlay stays empty
        Map<String, String> before = contents(f, dir);
        try (SnapshotEngine engine = f.engine()) {
            TransactionResult r = new GroupOperations(engine).undo("g", id);
            assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
            assertEquals(2, r.outcomes().size());
            TransactionResult again = new GroupOperations(engine).undo("g", id);
            assertTrue(again.outcomes().isEmpty(), "undone twice: " + again.reason());
        }
        for (String d : f.devices) {
            assertEquals(before.get("dev:" + d), contents(f, dir).get("dev:" + d), d);
            assertChain(f, d, List.of(f.image(d).toAbsolutePath().normalize()));
            ChainOracle.assertFiles(f, d, List.of());
        }
    }

    /** A group delete of external points on every device: one transaction. */
    @Test
    void aGroupDeleteMergesOnEveryDevice() throws Exception {
        GroupFixture f = fixture(3);
        ChainOracle.build(f, 3);
        Map<String, String> before = contents(f, dir);
        try (SnapshotEngine engine = f.engine()) {
            TransactionResult r = new GroupOperations(engine).delete("g", "s2");
            assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
            assertEquals(3, r.outcomes().size());
            assertThrows(GroupRequestException.class, () -> new GroupOperations(engine).delete("g", "s2"));
        }
        for (String d : f.devices) {
            before.remove(d + ":s2");
            assertChain(f, d, List.of(overlay(f, d, "s1"), f.image(d).toAbsolutePath().normalize()));
        }
        assertEquals(before, contents(f, dir));
        f.assertAllClean();
    }

    /** A group delete whose second device fails after the first's merge is prepared: every file as it was. */
    @Test
    void aGroupDeleteThatFailsOnOneDeviceChangesNoFile() throws Exception {
        GroupFixture f = fixture(2);
        ChainOracle.build(f, 3);
        Map<String, String> files = f.fingerprint();
        TransactionFaultTest.Faults failing = new TransactionFaultTest.Faults(java.util.Set.of("prepared:1"), -1, false);
        try (SnapshotEngine engine = SnapshotEngine.open(f.registry(),
                EngineOptions.defaults().withParallelism(1).withFaults(failing))) {
            Transaction t = engine.begin();
            for (String d : f.devices) {
                t.add(ExternalSnapshotRequest.delete(d, overlay(f, d, "s2")));
            }
            TransactionResult r = t.submit();
            assertEquals(TransactionStatus.ABORTED, r.status(), r.reason());
            assertTrue(failing.writesAtPoint.get("prepared:0") > 0, "the first merge wrote nothing");
        }
        assertEquals(files, f.fingerprint());
        f.assertAllClean();
    }

    /**
     * Refused at add, nothing changed: a layer a kept branch reads through (merging into it, or
     * removing it, would change what the branch reads); a point the device's chain does not have;
     * an overlay holding internal snapshots, which removing it would lose.
     */
    @Test
    void layersOthersReadThroughAreRefused() throws Exception {
        GroupFixture f = fixture(1);
        ChainOracle.build(f, 3);
        Path base = f.image("disk0").toAbsolutePath().normalize();
        Path branch = f.overlayDir("disk0").resolve("branch.qcow2");
        Qcow2Image.createOverlay(base, branch);
        Qemu.img("snapshot", "-c", "inner", overlay(f, "disk0", "s1").toString()).ok();
        Map<String, String> files = f.fingerprint();
        try (SnapshotEngine engine = f.engine()) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> engine.begin()
                    .add(ExternalSnapshotRequest.delete("disk0", overlay(f, "disk0", "s1"))));
            assertTrue(e.getMessage().contains(branch.toString()), e.getMessage());
            e = assertThrows(InvalidRequestException.class, () -> engine.begin()
                    .add(ExternalSnapshotRequest.delete("disk0", overlay(f, "disk0", "s9"))));
            assertTrue(e.getMessage().contains("no external snapshot point"), e.getMessage());
            Files.delete(branch);
            Path onS1 = f.overlayDir("disk0").resolve("branch1.qcow2");
            Qcow2Image.createOverlay(overlay(f, "disk0", "s1"), onS1);
            e = assertThrows(InvalidRequestException.class, () -> engine.begin()
                    .add(ExternalSnapshotRequest.apply("disk0", overlay(f, "disk0", "s1"))));
            assertTrue(e.getMessage().contains(onS1.toString()), e.getMessage());
            Files.delete(onS1);
            e = assertThrows(InvalidRequestException.class, () -> engine.begin()
                    .add(ExternalSnapshotRequest.delete("disk0", overlay(f, "disk0", "s1"))));
            assertTrue(e.getMessage().contains("holds internal snapshots ([inner])"), e.getMessage());
        }
        assertEquals(files.keySet().stream().filter(k -> !k.contains("branch")).toList(),
                f.fingerprint().keySet().stream().toList());
        files.keySet().removeIf(k -> k.contains("branch"));
        assertEquals(files, f.fingerprint());
    }
}
