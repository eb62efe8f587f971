package io.blksnap.camel;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.blksnap.catalog.GroupSnapshot;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * prune with a fixed clock over a synthetic history of group snapshots taken through the component with explicit
 * past times, against keep sets written out by hand (UTC; "now" is Thursday 2026-11-26 12:00, in ISO week 48).
 */
class PruneTest extends BlksnapTestSupport {

    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    /** h1 (newest) .. h15 (oldest): day, ISO week and month noted for the hand-made expectations. */
    static final String[] HISTORY = {
        "2026-11-26T09:00:00Z", // h1  Thu, week 48, Nov
        "2026-11-26T06:00:00Z", // h2  Thu, week 48
        "2026-11-25T22:00:00Z", // h3  Wed, week 48
        "2026-11-25T10:00:00Z", // h4  Wed, week 48
        "2026-11-24T12:00:00Z", // h5  Tue, week 48 (exactly 2 days before now)
        "2026-11-23T08:00:00Z", // h6  Mon, week 48
        "2026-11-22T20:00:00Z", // h7  Sun, week 47
        "2026-11-20T12:00:00Z", // h8  Fri, week 47
        "2026-11-15T12:00:00Z", // h9  Sun, week 46
        "2026-11-10T12:00:00Z", // h10 Tue, week 46
        "2026-11-02T12:00:00Z", // h11 Mon, week 45, Nov
        "2026-10-31T12:00:00Z", // h12 Sat, week 44, Oct
        "2026-10-15T12:00:00Z", // h13 Thu, week 42, Oct
        "2026-09-30T12:00:00Z", // h14 Wed, week 40, Sep
        "2026-08-01T12:00:00Z", // h15 Sat, week 31, Aug
    };

    static String h(int i) {
        Instant t = Instant.parse(HISTORY[i - 1]);
        return "auto-" + t.toString().substring(0, 10).replace("-", "") + "-"
               + t.toString().substring(11, 19).replace(":", "");
    }

    static List<String> hs(int... is) {
        List<String> out = new ArrayList<>();
        for (int i : is) {
            out.add(h(i));
        }
        return out;
    }

    static Stream<Arguments> policies() {
        return Stream.of(
                Arguments.of("keepLast=3", hs(1, 2, 3), Map.of(h(1), "last #1", h(3), "last #3")),
                // the newest of each of the 4 newest days: 26th, 25th, 24th, 23rd
                Arguments.of("keepDaily=4", hs(1, 3, 5, 6), Map.of(h(5), "daily #3", h(6), "daily #4")),
                // the newest of weeks 48, 47, 46
                Arguments.of("keepWeekly=3", hs(1, 7, 9), Map.of(h(7), "weekly #2", h(9), "weekly #3")),
                // the newest of November, October, September
                Arguments.of("keepMonthly=3", hs(1, 12, 14), Map.of(h(12), "monthly #2", h(14), "monthly #3")),
                // last keeps h1 h2; the 26th is used up by h1, so daily keeps the 25th (h3), 24th (h5), 23rd (h6);
                // week 48 is used up, weekly keeps week 47 (h7) and 46 (h9); November is used up, monthly keeps
                // October (h12) and September (h14)
                Arguments.of("keepLast=2&keepDaily=3&keepWeekly=2&keepMonthly=2", hs(1, 2, 3, 5, 6, 7, 9, 12, 14),
                        Map.of(h(2), "last #2", h(3), "daily #1", h(6), "daily #3", h(9), "weekly #2",
                                h(14), "monthly #2")),
                // strictly newer than now - 2 days: h5 sits exactly on the boundary and goes
                Arguments.of("keepWithin=2d", hs(1, 2, 3, 4), Map.of(h(4), "within #4")),
                Arguments.of("keepWithin=PT60H", hs(1, 2, 3, 4, 5), Map.of(h(5), "within #5")));
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        super.bindToRegistry(registry);
        registry.bind("fixedClock", Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:snapshot").to("blksnap:g?operation=snapshot");
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void prunesToTheHandWrittenKeepSet(String policy, List<String> expectedKept, Map<String, String> reasons)
            throws Exception {
        for (int i = HISTORY.length; i >= 1; i--) {
            call("direct:snapshot", BlksnapConstants.SNAPSHOT_TIME, HISTORY[i - 1]);
        }
        @SuppressWarnings("unchecked")
        List<GroupSnapshot> history = call("blksnap:g?operation=list").getMessage().getBody(List.class);
        assertEquals(HISTORY.length, history.size());
        assertTrue(history.stream().allMatch(s -> s.complete() && s.transactionId() != null));

        String uri = "blksnap:g?operation=prune&clock=#fixedClock&" + policy;
        var before = fixture.fingerprint();
        BlksnapPruneResult dry = call(uri, BlksnapConstants.DRY_RUN, true).getMessage()
                .getBody(BlksnapPruneResult.class);
        assertEquals(before, fixture.fingerprint(), "a dry run changes nothing");
        assertTrue(dry.dryRun());
        assertEquals(NOW.toString(), dry.now());
        assertNull(dry.transaction());
        assertEquals(expectedKept, dry.kept(), "kept, newest first");
        List<String> expectedPruned = new ArrayList<>();
        for (int i = 1; i <= HISTORY.length; i++) {
            if (!expectedKept.contains(h(i))) {
                expectedPruned.add(h(i));
            }
        }
        assertEquals(expectedPruned, dry.pruned(), "pruned, newest first");
        for (BlksnapPruneDecision d : dry.decisions()) {
            assertEquals(d.keep() ? d.rule() + " #" + d.ruleIndex() : "pruned", d.reason());
            if (reasons.containsKey(d.name())) {
                assertEquals(reasons.get(d.name()), d.reason(), d.name());
            }
        }

        BlksnapPruneResult real = call(uri).getMessage().getBody(BlksnapPruneResult.class);
        assertFalse(real.dryRun());
        assertEquals(dry.decisions(), real.decisions(), "the real run does what the dry run said");
        assertTrue(real.transaction().committed());
        assertEquals(expectedPruned.size() * fixture.devices.size(), real.transaction().outcomes().size(),
                "every pruned group snapshot on every device, in one transaction");
        List<String> keptOldestFirst = new ArrayList<>(expectedKept);
        java.util.Collections.reverse(keptOldestFirst);
        for (String d : fixture.devices) {
            assertEquals(keptOldestFirst, fixture.snapshots(d), d);
        }
        fixture.assertAllClean();

        BlksnapPruneResult again = call(uri).getMessage().getBody(BlksnapPruneResult.class);
        assertEquals(List.of(), again.pruned(), "pruning is idempotent");
        assertNull(again.transaction());
    }
}
