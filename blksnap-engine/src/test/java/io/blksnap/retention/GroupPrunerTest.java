package io.blksnap.retention;

import io.blksnap.catalog.GroupCatalog;
import io.blksnap.catalog.GroupSnapshot;
import io.blksnap.group.GroupOperations;
import io.blksnap.group.OverlayNaming;
import io.blksnap.group.SnapshotKind;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.TransactionResult;
import io.blksnap.txn.TransactionStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pruning real images: only blksnap's group snapshots, each as a whole, in one transaction. */
class GroupPrunerTest {

    @TempDir
    Path dir;

    @Test
    void prunesBlksnapGroupSnapshotsAsWholesAndNeverForeignOnes() throws Exception {
        GroupFixture f = GroupFixture.in(dir).group("g", "d0", "d1").size("8M").written("0").create();
        Qemu.img("snapshot", "-c", "foreign", f.image("d1").toString()).ok();
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        try (SnapshotEngine engine = f.engine()) {
            for (int day = 5; day >= 1; day--) {
                Instant t = now.minus(Duration.ofDays(day));
                engine.begin()
                        .add(InternalSnapshotRequest.create("d0", "day-" + day, t))
                        .add(InternalSnapshotRequest.create("d1", "day-" + day, t))
                        .submit();
            }
            RetentionPolicy keep2 = new RetentionPolicy(2, 0, 0, 0, 0, 0, null);
            String before0 = Hashes.sha256(f.image("d0"));
            PruneResult dry = new GroupPruner(engine).prune("g", keep2, now, ZoneOffset.UTC, true);
            assertEquals(3, dry.pruned().size());
            assertNull(dry.transaction());
            assertEquals(before0, Hashes.sha256(f.image("d0")), "a dry run changes nothing");

            PruneResult real = new GroupPruner(engine).prune("g", keep2, now, ZoneOffset.UTC, false);
            assertEquals(TransactionStatus.COMMITTED, real.transaction().status());
            assertEquals(6, real.transaction().outcomes().size(), "3 group snapshots x 2 devices, one transaction");
            assertEquals(List.of("day-2", "day-1"), Qemu.snapshotNames(f.image("d0")));
            assertEquals(List.of("foreign", "day-2", "day-1"), Qemu.snapshotNames(f.image("d1")));
            assertEquals("last", real.kept().get(0).rule());

            PruneResult again = new GroupPruner(engine).prune("g", keep2, now, ZoneOffset.UTC, false);
            assertEquals(0, again.pruned().size());
            assertNull(again.transaction());
        }
        Qemu.assertClean(f.image("d0"));
        Qemu.assertClean(f.image("d1"));
    }

    @Test
    void prunesInternalSnapshotsAndMergesExternalPointsOldestFirstKeepingContentAndChains() throws Exception {
        GroupFixture f = GroupFixture.in(dir).group("g", "d0", "d1").size("8M").written("1M").create();
        Map<String, Path> copies = new LinkedHashMap<>();
        try (SnapshotEngine engine = f.engine()) {
            GroupOperations ops = new GroupOperations(engine);
            ops.snapshot("g", "e1", SnapshotKind.EXTERNAL, Instant.now());
            for (String d : f.devices) {
                Qemu.io(engine.registry().activeImage(d), "write -P 0x51 2M 1M");
            }
            ops.snapshot("g", "e2", SnapshotKind.EXTERNAL, Instant.now());
            for (String d : f.devices) {
                Qemu.io(engine.registry().activeImage(d), "write -P 0x52 4M 512K");
            }
            // internal snapshots of the active overlays, dated before the points (which date from their transactions)
            Instant now = Instant.now();
            ops.snapshot("g", "i3", SnapshotKind.INTERNAL, now.minus(Duration.ofDays(3)));
            ops.snapshot("g", "i2", SnapshotKind.INTERNAL, now.minus(Duration.ofDays(2)));
            for (String d : f.devices) {
                Path copy = dir.resolve(d + "-before.raw");
                Qemu.img("convert", "-O", "raw", engine.registry().activeImage(d).toString(), copy.toString()).ok();
                copies.put(d, copy);
            }
            RetentionPolicy keep1 = new RetentionPolicy(1, 0, 0, 0, 0, 0, null);
            Map<String, String> before = f.fingerprint();

            PruneResult dry = new GroupPruner(engine).prune("g", keep1, now.plusSeconds(60), ZoneOffset.UTC, true);
            assertEquals(List.of("e2"), dry.kept().stream().map(k -> dry.names().get(k.id())).toList());
            assertEquals(List.of("internal d0 i3", "internal d1 i3", "internal d0 i2", "internal d1 i2",
                            "external d0 e1", "external d1 e1"),
                    dry.steps().stream().map(s -> s.kind() + " " + s.device() + " " + s.name()).toList(),
                    "internal deletions first, then the merges oldest first");
            Path e1 = OverlayNaming.overlayFor(engine.registry().device("d0"), "e1");
            PruneStep merge = dry.steps().get(4);
            assertEquals(e1.toString(), merge.overlay());
            assertTrue(merge.bytes() >= 1024 * 1024, "the overlay holds the 1 MiB written on it: " + merge);
            assertTrue(dry.refused().isEmpty());
            assertTrue(dry.transactions().isEmpty());
            assertEquals(before, f.fingerprint(), "a dry run changes nothing");

            PruneResult real = new GroupPruner(engine).prune("g", keep1, now.plusSeconds(60), ZoneOffset.UTC, false);
            assertEquals(dry.steps(), real.steps());
            // one external change per device per transaction: the internal deletions, then the merge
            assertEquals(2, real.transactions().size());
            for (TransactionResult t : real.transactions()) {
                assertEquals(TransactionStatus.COMMITTED, t.status(), String.valueOf(t));
            }
            assertEquals(4, real.transactions().get(0).outcomes().size());
            assertEquals(2, real.transactions().get(1).outcomes().size());
            assertEquals(List.of("e2"), new GroupCatalog(engine).groupSnapshots("g").stream()
                    .map(GroupSnapshot::name).toList());
            for (String d : f.devices) {
                Path active = engine.registry().activeImage(d);
                assertEquals(OverlayNaming.overlayFor(engine.registry().device(d), "e2"), active);
                String chain = Qemu.img("info", "--backing-chain", active.toString()).ok().out();
                assertFalse(chain.contains(d + "-e1.qcow2"), chain);
                assertFalse(Files.exists(OverlayNaming.overlayFor(engine.registry().device(d), "e1")));
                assertEquals(List.of(), Qemu.snapshotNames(active));
                Qemu.img("check", active.toString()).ok();
                Qemu.img("check", f.image(d).toString()).ok();
                Qemu.img("compare", "-f", "qcow2", "-F", "raw", active.toString(), copies.get(d).toString()).ok();
            }
        }
    }
}
