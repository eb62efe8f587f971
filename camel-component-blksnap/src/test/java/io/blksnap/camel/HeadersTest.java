package io.blksnap.camel;

import java.nio.file.Files;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Date;
import java.util.List;
import java.util.Map;

import io.blksnap.catalog.Catalog;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Headers override the endpoint's options: operation, name, type, transaction id, dry run, snapshot time. */
class HeadersTest extends BlksnapTestSupport {

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:list").to("blksnap:g?operation=list");
                from("direct:named").to("blksnap:g?operation=snapshot&name=fromOption");
                from("direct:internal").to("blksnap:g?operation=snapshot&type=internal&name=t1");
                from("direct:timed").to("blksnap:g?operation=snapshot");
                from("direct:pruneDry").to("blksnap:g?operation=prune&keepLast=1&dryRun=true");
                from("direct:pruneReal").to("blksnap:g?operation=prune&keepLast=1");
            }
        };
    }

    @Test
    void theOperationHeaderOverridesTheOption() throws Exception {
        Exchange e = call("direct:list", BlksnapConstants.OPERATION, "snapshot", BlksnapConstants.SNAPSHOT_NAME, "h");
        assertInstanceOf(BlksnapTransaction.class, e.getMessage().getBody());
        assertEquals(List.of("h"), fixture.snapshots("disk0"));
        Exchange listed = call("direct:named", BlksnapConstants.OPERATION, BlksnapOperations.list);
        assertInstanceOf(List.class, listed.getMessage().getBody());
        assertEquals(List.of("h"), fixture.snapshots("disk1"), "the snapshot endpoint only listed");
    }

    @Test
    void theNameHeaderOverridesTheOptionAndThePattern() throws Exception {
        call("direct:named");
        call("direct:named", BlksnapConstants.SNAPSHOT_NAME, "fromHeader");
        for (String d : fixture.devices) {
            assertEquals(List.of("fromOption", "fromHeader"), fixture.snapshots(d));
        }
    }

    @Test
    void theTypeHeaderOverridesTheOption() throws Exception {
        BlksnapTransaction t = call("direct:internal", BlksnapConstants.TYPE, "external").getMessage()
                .getBody(BlksnapTransaction.class);
        assertTrue(t.outcomes().stream().allMatch(o -> o.type().equals("external")));
        for (String d : fixture.devices) {
            assertTrue(Files.isRegularFile(fixture.overlayDir(d).resolve(d + "-t1.qcow2")));
            assertEquals(List.of(), fixture.snapshots(d), "no internal snapshot in the base image");
        }
        fixture.assertAllClean();
    }

    @Test
    void theTransactionIdHeaderOverridesTheOption() throws Exception {
        String a = call("direct:timed", BlksnapConstants.SNAPSHOT_NAME, "a").getMessage()
                .getHeader(BlksnapConstants.TRANSACTION_ID, String.class);
        String b = call("direct:timed", BlksnapConstants.SNAPSHOT_NAME, "b").getMessage()
                .getHeader(BlksnapConstants.TRANSACTION_ID, String.class);
        String undoA = "blksnap:g?operation=undo&transactionId=" + a;
        assertEquals(b, call(undoA, BlksnapConstants.TRANSACTION_ID, b).getMessage().getBody(BlksnapTransaction.class)
                .undoes());
        assertEquals(List.of("a"), fixture.snapshots("disk0"));
        assertEquals(a, call(undoA).getMessage().getBody(BlksnapTransaction.class).undoes());
        assertEquals(List.of(), fixture.snapshots("disk0"));
        fixture.assertAllClean();
    }

    @Test
    void theDryRunHeaderOverridesTheOption() throws Exception {
        for (int day = 1; day <= 3; day++) {
            call("direct:timed", BlksnapConstants.SNAPSHOT_TIME, Instant.parse("2026-11-0" + day + "T12:00:00Z"));
        }
        Map<String, String> before = fixture.fingerprint();
        BlksnapPruneResult dry = call("direct:pruneDry").getMessage().getBody(BlksnapPruneResult.class);
        assertTrue(dry.dryRun());
        assertEquals(List.of("auto-20261102-120000", "auto-20261101-120000"), dry.pruned());
        assertNull(dry.transaction());
        BlksnapPruneResult alsoDry = call("direct:pruneReal", BlksnapConstants.DRY_RUN, true).getMessage()
                .getBody(BlksnapPruneResult.class);
        assertTrue(alsoDry.dryRun());
        assertEquals(before, fixture.fingerprint(), "dry runs change nothing");

        Exchange e = call("direct:pruneDry", BlksnapConstants.DRY_RUN, "false");
        BlksnapPruneResult real = e.getMessage().getBody(BlksnapPruneResult.class);
        assertFalse(real.dryRun());
        assertEquals(real.transaction().id(), e.getMessage().getHeader(BlksnapConstants.PRUNE_TRANSACTION_ID));
        for (String d : fixture.devices) {
            assertEquals(List.of("auto-20261103-120000"), fixture.snapshots(d));
        }
        fixture.assertAllClean();
    }

    @Test
    void theSnapshotTimeHeaderTakesInstantsDatesMillisAndIsoText() throws Exception {
        Object[] times = {
            Instant.parse("2026-01-01T00:00:00Z"),
            Date.from(Instant.parse("2026-02-02T02:02:02Z")),
            Instant.parse("2026-03-03T03:03:03Z").toEpochMilli(),
            "2026-04-04T04:04:04Z",
            OffsetDateTime.parse("2026-05-05T07:05:05+02:00"),
        };
        for (Object t : times) {
            call("direct:timed", BlksnapConstants.SNAPSHOT_TIME, t);
        }
        List<String> expected = List.of("auto-20260101-000000", "auto-20260202-020202", "auto-20260303-030303",
                "auto-20260404-040404", "auto-20260505-050505");
        assertEquals(expected, fixture.snapshots("disk0"));
        Catalog c = call("blksnap:g?operation=catalog").getMessage().getBody(Catalog.class);
        assertEquals(Instant.parse("2026-02-02T02:02:02Z").getEpochSecond(), c.devices().get(1).snapshots().get(1).dateSec(),
                "the time is the snapshot's own, not only its name's");
    }
}
