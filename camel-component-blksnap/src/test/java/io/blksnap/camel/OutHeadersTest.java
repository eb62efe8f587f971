package io.blksnap.camel;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guide's table "Out headers and body of each operation" is what the component really does: every operation
 * runs on real images, from an exchange without blksnap headers, and the blksnap headers it ends with are the row's.
 */
class OutHeadersTest extends BlksnapTestSupport {

    private static final String TABLE = "== Out headers and body of each operation";
    private static final Pattern HEADER = Pattern.compile("CamelBlksnap\\w+");

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("blksnap:g?events=started,committed").to("mock:events");
                // the route of the guide's note: a failure after prune undoes the snapshot, not the prune
                from("direct:nightly")
                        .doTry()
                            .to("blksnap:g?operation=snapshot")
                            .to("blksnap:g?operation=prune&keepLast=1")
                            .throwException(new IllegalStateException("export failed"))
                        .doCatch(IllegalStateException.class)
                            .to("blksnap:g?operation=undo")
                        .end();
            }
        };
    }

    /** The row's headers: those always set, and with {@code conditional} also those after "also". */
    private static Set<String> headers(List<String> row, boolean conditional) {
        String cell = row.get(1);
        int also = cell.indexOf(" also ");
        Set<String> out = new TreeSet<>();
        Matcher m = HEADER.matcher(also < 0 || conditional ? cell : cell.substring(0, also));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    private static Set<String> blksnapHeaders(Exchange e) {
        Set<String> out = new TreeSet<>();
        for (String h : e.getMessage().getHeaders().keySet()) {
            if (h.startsWith("CamelBlksnap")) {
                out.add(h);
            }
        }
        return out;
    }

    private static void assertRow(Map<String, List<String>> table, String op, boolean conditional, Exchange e)
            throws Exception {
        List<String> row = table.get(op);
        assertEquals(headers(row, conditional), blksnapHeaders(e), op + (conditional ? " (with the also part)" : ""));
        String[] type = GuideTables.name(row.get(2)).split("[<>]");
        Object body = e.getMessage().getBody();
        assertTrue(Class.forName(type[0]).isInstance(body), op + " body " + body);
        if (type.length > 1) {
            List<?> list = (List<?>) body;
            assertTrue(!list.isEmpty() && list.stream().allMatch(Class.forName(type[1])::isInstance), op + " " + body);
        }
    }

    private String snapshot(String name) {
        return call("blksnap:g?operation=snapshot&name=" + name).getMessage()
                .getHeader(BlksnapConstants.TRANSACTION_ID, String.class);
    }

    @Test
    void everyOperationSetsTheHeadersAndBodyItsRowSays() throws Exception {
        Map<String, List<String>> table = GuideTables.table(TABLE, 0);
        assertEquals(Set.of("snapshot", "delete", "list", "apply", "undo", "prune", "catalog", "consumer"),
                table.keySet());
        MockEndpoint events = getMockEndpoint("mock:events");
        events.expectedMinimumMessageCount(2);

        assertRow(table, "snapshot", false, call("blksnap:g?operation=snapshot"));
        events.assertIsSatisfied();
        Exchange started = events.getReceivedExchanges().get(0);
        assertEquals("STARTED", started.getMessage().getHeader(BlksnapConstants.EVENT_KIND));
        assertRow(table, "consumer", false, started);
        Exchange committed = events.getReceivedExchanges().get(1);
        assertEquals("COMMITTED", committed.getMessage().getHeader(BlksnapConstants.EVENT_KIND));
        assertRow(table, "consumer", true, committed);

        String made = snapshot("made");
        snapshot("gone");
        assertRow(table, "list", false, call("blksnap:g?operation=list"));
        assertRow(table, "delete", false, call("blksnap:g?operation=delete&name=gone"));
        assertRow(table, "apply", false, call("blksnap:g?operation=apply&name=made"));
        assertRow(table, "undo", false, call("blksnap:g?operation=undo&transactionId=" + made));
        assertRow(table, "catalog", false, call("blksnap:g?operation=catalog"));
        snapshot("newer");
        snapshot("newest");
        assertRow(table, "prune", false, call("blksnap:g?operation=prune&keepLast=10"));
        assertRow(table, "prune", true, call("blksnap:g?operation=prune&keepLast=1"));
        fixture.assertAllClean();
    }

    @Test
    void aFailureHandlersUndoAfterPruneUndoesTheSnapshot() throws Exception {
        call("blksnap:g?operation=snapshot&name=older", BlksnapConstants.SNAPSHOT_TIME,
                Instant.parse("2026-11-01T03:00:00Z"));
        Exchange e = call("direct:nightly", BlksnapConstants.SNAPSHOT_TIME, Instant.parse("2026-11-02T03:00:00Z"));
        String prune = e.getMessage().getHeader(BlksnapConstants.PRUNE_TRANSACTION_ID, String.class);
        String snapshot = e.getMessage().getHeader(BlksnapConstants.TRANSACTION_ID, String.class);
        assertNotEquals(null, prune, "the prune deleted the older snapshot");
        assertEquals(snapshot, e.getMessage().getBody(BlksnapTransaction.class).undoes(), "undo undid the snapshot");
        for (String d : fixture.devices) {
            assertEquals(List.of(), fixture.snapshots(d), "the older snapshot pruned, the new one undone");
        }
        fixture.assertAllClean();
    }
}
