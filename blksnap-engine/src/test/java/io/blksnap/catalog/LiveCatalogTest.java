package io.blksnap.catalog;

import io.blksnap.group.GroupOperations;
import io.blksnap.group.OverlayNaming;
import io.blksnap.group.SnapshotKind;
import io.blksnap.qmp.BlockNode;
import io.blksnap.qmp.LiveVm;
import io.blksnap.qmp.QmpClient;
import io.blksnap.retention.GroupPruner;
import io.blksnap.retention.PruneResult;
import io.blksnap.retention.RetentionPolicy;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.QemuVm;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.TransactionResult;
import io.blksnap.txn.TransactionStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The catalog of a group mixing a running VM's disk (QEMU -M none, node a0) and an offline image:
 * the live disk is read through QMP, and QEMU's {@code query-named-block-nodes} is the oracle.
 */
class LiveCatalogTest {

    @TempDir
    Path dir;

    @Test
    void readsARunningVmsDiskThroughQmp() throws Exception {
        Path sock = dir.resolve("a.sock");
        GroupFixture f = GroupFixture.in(dir).group("g", "a0", "off").size("8M").written("1M")
                .live("a0", sock, "a0", null).create();
        try (QemuVm vm = QemuVm.start(sock, Map.of("a0", f.image("a0")));
             SnapshotEngine engine = f.engine()) {
            GroupOperations ops = new GroupOperations(engine);
            TransactionResult made = ops.snapshot("g", "nightly", SnapshotKind.INTERNAL, Instant.now());
            assertEquals(TransactionStatus.COMMITTED, made.status(), String.valueOf(made));
            try (QmpClient qmp = QmpClient.connect(sock, Duration.ofSeconds(10))) {
                qmp.execute("blockdev-snapshot-internal-sync", Map.of("device", "a0", "name", "by-operator"));
            }

            CatalogDevice a0 = new GroupCatalog(engine).catalog("g", Instant.now()).devices().get(0);
            assertTrue(a0.live());
            List<BlockNode.LiveSnapshot> reported;
            try (QmpClient qmp = QmpClient.connect(sock, Duration.ofSeconds(10))) {
                reported = new LiveVm(qmp).blockNode("a0").orElseThrow().snapshots();
            }
            assertEquals(reported.stream().map(s -> s.id() + " " + s.name() + " " + s.dateSec()).toList(),
                    a0.snapshots().stream().map(s -> s.id() + " " + s.name() + " " + s.dateSec()).toList(),
                    "the snapshots QEMU reports");
            assertEquals(List.of("nightly", "by-operator"), a0.snapshots().stream().map(CatalogSnapshot::name).toList());
            assertEquals(made.id(), a0.snapshots().get(0).transactionId(), "QEMU stamped it; the journal has its id");
            assertNull(a0.snapshots().get(1).transactionId(), "made through QMP, not by blksnap");
            CatalogDevice off = new GroupCatalog(engine).catalog("g", Instant.now()).devices().get(1);
            assertFalse(off.live());
            assertEquals(List.of("nightly"), off.snapshots().stream().map(CatalogSnapshot::name).toList());
            GroupSnapshot nightly = new GroupCatalog(engine).groupSnapshots("g").get(0);
            assertEquals("nightly", nightly.name());
            assertTrue(nightly.complete());
            assertEquals(made.id(), nightly.transactionId());

            // an external snapshot: the live chain as QEMU has it open shows the point
            TransactionResult ext = ops.snapshot("g", "ext", SnapshotKind.EXTERNAL, Instant.now());
            assertEquals(TransactionStatus.COMMITTED, ext.status(), String.valueOf(ext));
            a0 = new GroupCatalog(engine).catalog("g", Instant.now()).devices().get(0);
            Path overlay = OverlayNaming.overlayFor(engine.registry().device("a0"), "ext");
            assertEquals(List.of(overlay.toString(), f.image("a0").toAbsolutePath().normalize().toString()),
                    a0.chain().stream().map(CatalogLayer::file).toList());
            assertEquals(List.of(CatalogSnapshot.EXTERNAL), a0.snapshots().stream().map(CatalogSnapshot::kind).toList(),
                    "the new active overlay has no internal snapshots; its base is the point");
            assertEquals(ext.id(), a0.snapshots().get(0).transactionId());
            GroupSnapshot point = new GroupCatalog(engine).groupSnapshots("g").stream()
                    .filter(s -> s.name().equals("ext")).findFirst().orElseThrow();
            assertTrue(point.complete());
            assertEquals(CatalogSnapshot.EXTERNAL, point.kind());

            // pruning the point is refused in the plan, on the live disk only, and changes nothing
            ops.snapshot("g", "late", SnapshotKind.INTERNAL, Instant.now());
            List<CatalogLayer> chainBefore = a0.chain();
            RetentionPolicy keep1 = new RetentionPolicy(1, 0, 0, 0, 0, 0, null);
            PruneResult plan = new GroupPruner(engine).prune("g", keep1, Instant.now(), ZoneOffset.UTC, true);
            assertEquals(List.of("ext"), plan.pruned().stream().map(d -> plan.names().get(d.id())).toList());
            assertEquals(List.of("a0 ext"), plan.refused().stream().map(s -> s.device() + " " + s.name()).toList());
            assertTrue(plan.refused().get(0).refusal().contains("not supported yet"), plan.refused().get(0).refusal());
            PruneResult real = new GroupPruner(engine).prune("g", keep1, Instant.now(), ZoneOffset.UTC, false);
            assertTrue(real.transactions().isEmpty(), "a group snapshot that cannot go whole stays whole");
            assertEquals(chainBefore, new GroupCatalog(engine).catalog("g", Instant.now()).devices().get(0).chain());
            assertTrue(new GroupCatalog(engine).groupSnapshots("g").stream().anyMatch(s -> s.name().equals("ext")
                    && s.complete()));
        }
    }
}
