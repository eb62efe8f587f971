package io.blksnap.camel;

import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.blksnap.catalog.Catalog;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.dataformat.JsonLibrary;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every result, marshalled by camel-jackson in a route, has stable JSON field names. */
class JsonResultsTest extends BlksnapTestSupport {

    static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        super.bindToRegistry(registry);
        registry.bind("clock", Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:json").toD("blksnap:g?clock=#clock&keepLast=1&operation=${header.op}")
                        .marshal().json(JsonLibrary.Jackson);
                from("blksnap:g?events=committed").marshal().json(JsonLibrary.Jackson).to("mock:events");
            }
        };
    }

    private JsonNode json(String op, Object... headers) throws Exception {
        Object[] all = new Object[headers.length + 2];
        all[0] = "op";
        all[1] = op;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return MAPPER.readTree(call("direct:json", all).getMessage().getBody(String.class));
    }

    private static List<String> fields(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static final List<String> TRANSACTION = List.of("id", "group", "operation", "status", "committed", "failedDevice",
            "reason", "undoes", "outcomes");
    static final List<String> OUTCOME = List.of("device", "type", "operation", "name", "overlay", "step", "snapshotId",
            "error");

    @Test
    void resultsMarshalToStableFieldNames() throws Exception {
        MockEndpoint events = getMockEndpoint("mock:events");
        events.expectedMinimumMessageCount(1);

        JsonNode t = json("snapshot", BlksnapConstants.SNAPSHOT_NAME, "a",
                BlksnapConstants.SNAPSHOT_TIME, "2026-11-25T12:00:00Z");
        assertEquals(TRANSACTION, fields(t));
        assertEquals(OUTCOME, fields(t.get("outcomes").get(0)));
        assertEquals("COMMITTED", t.get("outcomes").get(0).get("step").asText());
        assertTrue(t.get("outcomes").get(0).get("overlay").isNull(), "absent values are null, never left out");
        json("snapshot", BlksnapConstants.SNAPSHOT_NAME, "b");

        JsonNode list = json("list");
        assertEquals(List.of("name", "dateSec", "transactionId", "devices", "complete", "kind"), fields(list.get(0)));

        JsonNode prune = json("prune", BlksnapConstants.DRY_RUN, true);
        assertEquals(List.of("group", "dryRun", "now", "policy", "decisions", "kept", "pruned", "transaction", "steps"),
                fields(prune));
        assertEquals(List.of("candidate", "device", "kind", "id", "name", "overlay", "bytes", "refusal"),
                fields(prune.get("steps").get(0)));
        assertEquals(List.of("keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly",
                "keepWithin"), fields(prune.get("policy")));
        assertEquals(List.of("name", "transactionId", "time", "dateSec", "keep", "rule", "ruleIndex", "reason"),
                fields(prune.get("decisions").get(0)));
        assertEquals("pruned", prune.get("decisions").get(1).get("reason").asText());
        assertEquals("a", prune.get("pruned").get(0).asText());
        assertEquals("2026-11-25T12:00:00Z", prune.get("decisions").get(1).get("time").asText());
        assertEquals("last #1", prune.get("decisions").get(0).get("reason").asText());

        JsonNode undo = json("undo", BlksnapConstants.TRANSACTION_ID, t.get("id").asText());
        assertEquals(TRANSACTION, fields(undo));
        assertEquals(t.get("id").asText(), undo.get("undoes").asText());

        JsonNode catalog = json("catalog");
        JsonSchema schema;
        try (InputStream in = Catalog.class.getResourceAsStream("catalog.schema.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
        Set<ValidationMessage> errors = schema.validate(catalog);
        assertTrue(errors.isEmpty(), "the catalog a route marshals is the published document: " + errors);

        events.assertIsSatisfied();
        JsonNode event = MAPPER.readTree(events.getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertEquals(List.of("kind", "transactionId", "time", "group", "device", "step", "transaction"), fields(event));
        assertEquals(TRANSACTION, fields(event.get("transaction")));
    }
}
