package io.blksnap.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
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
}
