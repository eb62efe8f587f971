package io.blksnap.group;

import io.blksnap.registry.Device;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.retention.PruneResult;
import io.blksnap.retention.RetentionPolicy;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import io.blksnap.txn.EngineOptions;
import io.blksnap.txn.FaultInjector;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.InvalidRequestException;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.Step;
import io.blksnap.txn.TransactionResult;
import io.blksnap.txn.TransactionStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The group operations on real images, judged by qemu-img. Group g is d0 and d1; d2 is in group other. */
class GroupOperationsTest {

    @TempDir
    Path dir;
    private final CountDownLatch stalled = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean stallAtBegin;
    private SnapshotEngine engine;

    @BeforeEach
    void images() throws Exception {
        StringBuilder yaml = new StringBuilder("stateDir: state\ndevices:\n");
        for (int i = 0; i < 3; i++) {
            Qemu.img("create", "-q", "-f", "qcow2", image(i).toString(), "8M").ok();
            Qemu.io(image(i), "write -P " + (0x10 + i) + " 0 64k");
            Files.createDirectories(dir.resolve("overlays"));
            yaml.append("  - {name: d").append(i).append(", image: d").append(i)
                    .append(".qcow2, overlayDir: overlays}\n");
        }
        yaml.append("groups:\n  g: [d0, d1]\n  other: [d2]\n");
        Files.writeString(dir.resolve("devices.yaml"), yaml);
        FaultInjector stall = new FaultInjector() {
            @Override
            public void at(String point) {
                if (point.equals("begin") && stallAtBegin) {
                    stallAtBegin = false;
                    stalled.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        engine = SnapshotEngine.open(DeviceRegistry.load(dir.resolve("devices.yaml"), dir),
                EngineOptions.defaults().withFaults(stall));
    }

    @AfterEach
    void close() {
        release.countDown();
        engine.close();
    }

    private Path image(int i) {
        return dir.resolve("d" + i + ".qcow2");
    }

    @Test
    void internalSnapshotOnEveryDeviceOfTheGroupOnly() throws Exception {
        TransactionResult r = new GroupOperations(engine).snapshot("g", "s1", SnapshotKind.INTERNAL, Instant.now());
        assertEquals(TransactionStatus.COMMITTED, r.status());
        assertEquals(List.of("s1"), Qemu.snapshotNames(image(0)));
        assertEquals(List.of("s1"), Qemu.snapshotNames(image(1)));
        assertEquals(List.of(), Qemu.snapshotNames(image(2)));
    }

    @Test
    void externalSnapshotPivotsEachDeviceToAnOverlayNamedAfterDeviceAndSnapshot() throws Exception {
        TransactionResult r = new GroupOperations(engine).snapshot("g", "e1", SnapshotKind.EXTERNAL, Instant.now());
        assertEquals(TransactionStatus.COMMITTED, r.status());
        for (int i = 0; i < 2; i++) {
            Path overlay = dir.resolve("overlays/d" + i + "-e1.qcow2");
            assertEquals(overlay, engine.registry().activeImage("d" + i));
            Qemu.assertClean(overlay);
            assertTrue(Qemu.img("info", "--backing-chain", overlay.toString()).ok().out()
                    .contains(image(i).toString()));
        }
        // named after the device, not the active layer: the next overlay does not grow "d0-e1-e2"
        new GroupOperations(engine).snapshot("g", "e2", SnapshotKind.EXTERNAL, Instant.now());
        assertEquals(dir.resolve("overlays/d0-e2.qcow2"), engine.registry().activeImage("d0"));
    }

    @Test
    void externalSnapshotWithANameThatIsNoFileNamePartChangesNothing() throws Exception {
        String before = Hashes.sha256(image(0));
        GroupRequestException e = assertThrows(GroupRequestException.class,
                () -> new GroupOperations(engine).snapshot("g", "../x", SnapshotKind.EXTERNAL, Instant.now()));
        assertTrue(e.getMessage().contains("file name"), e.getMessage());
        assertEquals(before, Hashes.sha256(image(0)));
        try (var files = Files.list(dir.resolve("overlays"))) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void deleteTakesTheSnapshotFromTheDevicesThatHoldIt() throws Exception {
        GroupOperations ops = new GroupOperations(engine);
        ops.snapshot("g", "both", SnapshotKind.INTERNAL, Instant.now());
        Qemu.img("snapshot", "-c", "solo", image(1).toString()).ok();

        TransactionResult r = ops.delete("g", "solo");
        assertEquals(TransactionStatus.COMMITTED, r.status());
        assertEquals(1, r.outcomes().size());
        assertEquals(List.of("both"), Qemu.snapshotNames(image(1)));

        ops.delete("g", "both");
        assertEquals(List.of(), Qemu.snapshotNames(image(0)));
        assertEquals(List.of(), Qemu.snapshotNames(image(1)));
        GroupRequestException e = assertThrows(GroupRequestException.class, () -> ops.delete("g", "both"));
        assertTrue(e.getMessage().contains("no snapshot named \"both\""), e.getMessage());
        Qemu.assertClean(image(0));
        Qemu.assertClean(image(1));
    }

    @Test
    void applyRevertsEveryDevice() throws Exception {
        GroupOperations ops = new GroupOperations(engine);
        ops.snapshot("g", "before", SnapshotKind.INTERNAL, Instant.now());
        Qemu.io(image(0), "write -P 0x77 0 64k");
        Qemu.io(image(1), "write -P 0x77 0 64k");
        assertEquals(TransactionStatus.COMMITTED, ops.apply("g", "before").status());
        Qemu.io(image(0), "read -P 0x10 0 64k");
        Qemu.io(image(1), "read -P 0x11 0 64k");
    }

    @Test
    void undoRemovesWhatTheTransactionMadeAndRefusesOneOutsideTheGroup() throws Exception {
        GroupOperations ops = new GroupOperations(engine);
        ops.snapshot("g", "keep", SnapshotKind.INTERNAL, Instant.now());
        String made = ops.snapshot("g", "undo-me", SnapshotKind.INTERNAL, Instant.now()).id();
        String elsewhere = ops.snapshot("other", "x", SnapshotKind.INTERNAL, Instant.now()).id();

        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> ops.undo("g", elsewhere));
        assertEquals("d2", e.device());
        assertTrue(e.getMessage().contains("not in group g"), e.getMessage());
        assertEquals(List.of("x"), Qemu.snapshotNames(image(2)));

        TransactionResult r = ops.undo("g", made);
        assertEquals(2, r.outcomes().size());
        assertEquals(List.of("keep"), Qemu.snapshotNames(image(0)));
        assertEquals(List.of("keep"), Qemu.snapshotNames(image(1)));
        assertEquals(List.of(), ops.undo("g", made).outcomes(), "a second undo runs nothing");
    }

    @Test
    void pruneNamesEachCandidateAndDeletesTheOlderGroupSnapshot() throws Exception {
        GroupOperations ops = new GroupOperations(engine);
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        String old = ops.snapshot("g", "old", SnapshotKind.INTERNAL, now.minusSeconds(7200)).id();
        String recent = ops.snapshot("g", "recent", SnapshotKind.INTERNAL, now.minusSeconds(60)).id();
        PruneResult r = ops.prune("g", new RetentionPolicy(1, 0, 0, 0, 0, 0, null), now, ZoneOffset.UTC, false);
        assertEquals("old", r.names().get(old));
        assertEquals("recent", r.names().get(recent));
        assertEquals(TransactionStatus.COMMITTED, r.transaction().status());
        assertEquals(List.of("recent"), Qemu.snapshotNames(image(0)));
        assertEquals(List.of("recent"), Qemu.snapshotNames(image(1)));
    }

    @Test
    void aPerTransactionLockTimeoutReplacesTheEngineWideOne() throws Exception {
        stallAtBegin = true;
        CompletableFuture<TransactionResult> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return new GroupOperations(engine).snapshot("g", "slow", SnapshotKind.INTERNAL, Instant.now());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertTrue(stalled.await(10, TimeUnit.SECONDS));
        long started = System.nanoTime();
        TransactionResult busy = new GroupOperations(engine, Duration.ofMillis(200))
                .snapshot("g", "fast", SnapshotKind.INTERNAL, Instant.now());
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(TransactionStatus.ABORTED, busy.status());
        assertTrue(busy.reason().contains("busy") && busy.reason().contains("200 ms"), busy.reason());
        assertTrue(busy.outcomes().stream().allMatch(o -> o.step() == Step.CANCELLED));
        assertTrue(waitedMillis < 10_000, "the engine-wide 30 s did not apply: waited " + waitedMillis + " ms");
        release.countDown();
        assertEquals(TransactionStatus.COMMITTED, slow.get(10, TimeUnit.SECONDS).status());
        assertEquals(List.of("slow"), Qemu.snapshotNames(image(0)));
    }

    @Test
    void aDeviceNamedByItsImagePathIsCalledByTheFileStem() {
        Path overlays = dir.resolve("o");
        Device byPath = new Device(image(0).toString(), image(0), overlays);
        assertEquals(overlays.resolve("d0-s.qcow2"), OverlayNaming.overlayFor(byPath, "s"));
        Device configured = new Device("web.1", image(0), overlays);
        assertEquals(overlays.resolve("web.1-s.qcow2"), OverlayNaming.overlayFor(configured, "s"));
        assertThrows(IllegalArgumentException.class, () -> OverlayNaming.overlayFor(configured, "a/b"));
    }

    @Test
    void transactionLockTimeoutIsSetOnlyBeforeSubmit() throws Exception {
        var t = engine.begin().add(InternalSnapshotRequest.create("d0", "t", Instant.now()));
        assertThrows(IllegalArgumentException.class, () -> t.lockTimeout(Duration.ofMillis(-1)));
        t.lockTimeout(Duration.ofSeconds(1)).submit();
        assertThrows(IllegalStateException.class, () -> t.lockTimeout(Duration.ofSeconds(1)));
    }
}
