package io.blksnap.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.blksnap.group.GroupOperations;
import io.blksnap.group.OverlayNaming;
import io.blksnap.group.SnapshotKind;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Qemu;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.Transaction;
import io.blksnap.txn.TransactionResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupCatalogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void catalogNamesTheTransactionThatMadeEachSnapshotAndMatchesItsSchema() throws Exception {
        GroupFixture f = GroupFixture.in(dir).group("g", "d0", "d1").size("8M").written("0").create();
        Qemu.img("snapshot", "-c", "by-qemu", f.image("d0").toString()).ok();
        try (SnapshotEngine engine = f.engine()) {
            Transaction t = engine.begin()
                    .add(InternalSnapshotRequest.create("d0", "nightly", Instant.ofEpochSecond(1_790_000_000L, 5)))
                    .add(InternalSnapshotRequest.create("d1", "nightly", Instant.ofEpochSecond(1_790_000_000L, 5)));
            TransactionResult r = t.submit();
            GroupCatalog catalogs = new GroupCatalog(engine);
            Catalog c = catalogs.catalog("g", Instant.ofEpochSecond(1_790_000_100L));
            assertEquals(2, c.devices().size());
            CatalogDevice d0 = c.devices().get(0);
            assertEquals(List.of("by-qemu", "nightly"), d0.snapshots().stream().map(CatalogSnapshot::name).toList());
            assertNull(d0.snapshots().get(0).transactionId(), "blksnap did not make QEMU's snapshot");
            assertEquals(r.id(), d0.snapshots().get(1).transactionId());
            assertEquals(1_790_000_000L, d0.snapshots().get(1).dateSec());
            assertEquals(f.image("d0").toAbsolutePath().toString(), d0.activeImage());

            JsonNode doc = JSON.valueToTree(c);
            JsonSchema schema;
            try (InputStream in = Catalog.class.getResourceAsStream("catalog.schema.json")) {
                schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
            }
            Set<ValidationMessage> errors = schema.validate(doc);
            assertTrue(errors.isEmpty(), errors.toString());
            ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("devices").get(0)).put("surprise", 1);
            assertFalse(schema.validate(doc).isEmpty(), "the schema must reject unknown fields");

            List<GroupSnapshot> groups = catalogs.groupSnapshots("g");
            assertEquals(2, groups.size());
            GroupSnapshot nightly = groups.stream().filter(g -> g.name().equals("nightly")).findFirst().orElseThrow();
            assertTrue(nightly.complete());
            assertEquals(r.id(), nightly.transactionId());
            GroupSnapshot qemu = groups.stream().filter(g -> g.name().equals("by-qemu")).findFirst().orElseThrow();
            assertFalse(qemu.complete());
            assertNull(qemu.transactionId());
        }
    }

    @Test
    void listsExternalPointsOfEachChainWithInternalSnapshots() throws Exception {
        GroupFixture f = GroupFixture.in(dir).group("g", "d0", "d1").size("8M").written("1M").create();
        try (SnapshotEngine engine = f.engine()) {
            TransactionResult ext = new GroupOperations(engine).snapshot("g", "before", SnapshotKind.EXTERNAL,
                    Instant.now());
            engine.begin().add(InternalSnapshotRequest.create("d0", "after", Instant.ofEpochSecond(1_790_000_000L)))
                    .submit();
            Catalog c = new GroupCatalog(engine).catalog("g", Instant.now());
            CatalogDevice d0 = c.devices().get(0);
            Path overlay = OverlayNaming.overlayFor(engine.registry().device("d0"), "before");
            assertEquals(overlay.toString(), d0.activeImage());
            assertEquals(List.of("after", "before"), d0.snapshots().stream().map(CatalogSnapshot::name).toList());
            CatalogSnapshot point = d0.snapshots().get(1);
            assertEquals(CatalogSnapshot.EXTERNAL, point.kind());
            assertEquals(overlay.toString(), point.overlay());
            assertEquals(ext.id(), point.transactionId());
            assertTrue(point.diskSize() > 0, "the overlay's allocated bytes");
            assertEquals(CatalogSnapshot.INTERNAL, d0.snapshots().get(0).kind());
            assertFalse(d0.live());

            JsonNode doc = JSON.valueToTree(c);
            try (InputStream in = Catalog.class.getResourceAsStream("catalog.schema.json")) {
                Set<ValidationMessage> errors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                        .getSchema(in).validate(doc);
                assertTrue(errors.isEmpty(), errors.toString());
            }

            List<GroupSnapshot> groups = new GroupCatalog(engine).groupSnapshots("g");
            GroupSnapshot before = groups.stream().filter(g -> g.name().equals("before")).findFirst().orElseThrow();
            assertTrue(before.complete());
            assertEquals(CatalogSnapshot.EXTERNAL, before.kind());
            assertEquals(ext.id(), before.transactionId());
            GroupSnapshot after = groups.stream().filter(g -> g.name().equals("after")).findFirst().orElseThrow();
            assertFalse(after.complete());
            assertEquals(CatalogSnapshot.INTERNAL, after.kind());
        }
        // an overlay blksnap did not make, named as its own would be: a point, made by no transaction
        Path foreign = f.overlayDir("d1").resolve("d1-by-hand.qcow2");
        Qemu.img("create", "-f", "qcow2", "-F", "qcow2", "-b",
                OverlayNaming.overlayFor(GroupFixture.load(dir).device("d1"), "before").toString(),
                foreign.toString()).ok();
        try (SnapshotEngine engine = f.engine()) {
            engine.registry().pivot(java.util.Map.of("d1", foreign));
            CatalogDevice d1 = new GroupCatalog(engine).catalog("g", Instant.now()).devices().get(1);
            assertEquals(List.of("before", "by-hand"), d1.snapshots().stream().map(CatalogSnapshot::name).toList());
            assertNull(d1.snapshots().get(1).transactionId());
            assertTrue(d1.snapshots().get(1).dateSec() > 0);
        }
    }
}
