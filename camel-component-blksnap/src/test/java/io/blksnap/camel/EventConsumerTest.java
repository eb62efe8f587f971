package io.blksnap.camel;

import java.util.List;

import io.blksnap.txn.RecoveryReport;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code from("blksnap:group?events=...")} delivers the engine's events of that group's transactions. */
class EventConsumerTest extends BlksnapTestSupport {

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("blksnap:g?events=committed,aborted,recovered").to("mock:events");
                from("blksnap:g?events=started,step,committed").to("mock:progress");
                from("blksnap:other?events=committed").to("mock:other");
                // a consumer's route may start transactions itself: it does not run inside the engine's
                from("blksnap:other?events=committed").routeId("chain").autoStartup(false)
                        .setHeader(BlksnapConstants.SNAPSHOT_NAME, constant("after-other"))
                        .to("blksnap:g?operation=snapshot")
                        .to("mock:chained");
            }
        };
    }

    private static List<String> kinds(MockEndpoint mock) {
        return mock.getReceivedExchanges().stream()
                .map(e -> e.getMessage().getHeader(BlksnapConstants.EVENT_KIND, String.class)).toList();
    }

    @Test
    void committedAbortedAndRecoveredTransactionsOfTheGroupArriveInOrder() throws Exception {
        MockEndpoint events = getMockEndpoint("mock:events");
        events.expectedMessageCount(3);
        events.setAssertPeriod(500);

        String committed = call("blksnap:g?operation=snapshot&name=a").getMessage()
                .getHeader(BlksnapConstants.TRANSACTION_ID, String.class);
        call("blksnap:other?operation=snapshot&name=elsewhere");
        faults.failAt("prepared:0");
        Exchange failed = send("blksnap:g?operation=snapshot&name=b");
        String aborted = assertInstanceOf(BlksnapTransactionAbortedException.class, failed.getException())
                .getTransactionId();
        faults.failAt("commit");
        assertInstanceOf(BlksnapException.class, send("blksnap:g?operation=snapshot&name=c").getException());
        RecoveryReport report = engine.recover();
        String recovered = report.resolved().get(0).id();

        events.assertIsSatisfied();
        assertEquals(List.of("COMMITTED", "ABORTED", "RECOVERED"), kinds(events));
        List<String> ids = events.getReceivedExchanges().stream()
                .map(e -> e.getMessage().getHeader(BlksnapConstants.TRANSACTION_ID, String.class)).toList();
        assertEquals(List.of(committed, aborted, recovered), ids);

        BlksnapEvent c = events.getReceivedExchanges().get(0).getMessage().getBody(BlksnapEvent.class);
        assertEquals("g", c.group());
        assertEquals("COMMITTED", c.transaction().status());
        assertEquals(List.of("disk0", "disk1"), c.transaction().outcomes().stream().map(BlksnapOutcome::device).toList());
        BlksnapEvent a = events.getReceivedExchanges().get(1).getMessage().getBody(BlksnapEvent.class);
        assertEquals("ABORTED", a.transaction().status());
        assertTrue(a.transaction().reason().contains("injected fault"), a.transaction().reason());
        BlksnapEvent r = events.getReceivedExchanges().get(2).getMessage().getBody(BlksnapEvent.class);
        assertEquals("ROLLED_FORWARD", r.transaction().status());
        assertEquals("ROLLED_FORWARD",
                events.getReceivedExchanges().get(2).getMessage().getHeader(BlksnapConstants.TRANSACTION_STATUS));
        assertNotNull(r.time());

        MockEndpoint other = getMockEndpoint("mock:other");
        other.expectedMessageCount(1);
        other.assertIsSatisfied();
        assertEquals("other", other.getReceivedExchanges().get(0).getMessage().getHeader(BlksnapConstants.GROUP));
    }

    @Test
    void startedAndStepEventsFollowEachDevice() throws Exception {
        MockEndpoint progress = getMockEndpoint("mock:progress");
        progress.expectedMessageCount(6);
        progress.setAssertPeriod(500);
        call("blksnap:other?operation=snapshot&name=elsewhere");
        String id = call("blksnap:g?operation=snapshot&name=a").getMessage()
                .getHeader(BlksnapConstants.TRANSACTION_ID, String.class);
        progress.assertIsSatisfied();

        List<String> kinds = kinds(progress);
        assertEquals("STARTED", kinds.get(0), "the other group's transaction did not reach this consumer");
        assertEquals(List.of("STEP", "STEP", "STEP", "STEP"), kinds.subList(1, 5));
        assertEquals("COMMITTED", kinds.get(5));
        List<BlksnapEvent> bodies = progress.getReceivedExchanges().stream()
                .map(e -> e.getMessage().getBody(BlksnapEvent.class)).toList();
        assertTrue(bodies.stream().allMatch(b -> b.transactionId().equals(id)));
        assertNull(bodies.get(0).device());
        assertEquals(List.of("CREATED", "CREATED", "COMMITTED", "COMMITTED"),
                bodies.subList(1, 5).stream().map(BlksnapEvent::step).toList());
        assertEquals(List.of("disk0", "disk1"),
                bodies.subList(1, 3).stream().map(BlksnapEvent::device).sorted().toList());
    }

    @Test
    void aConsumersRouteMayRunTransactionsOfItsOwn() throws Exception {
        context.getRouteController().startRoute("chain");
        MockEndpoint chained = getMockEndpoint("mock:chained");
        chained.expectedMessageCount(1);
        call("blksnap:other?operation=snapshot&name=first");
        chained.assertIsSatisfied();
        assertNull(chained.getReceivedExchanges().get(0).getException());
        for (String d : fixture.devices) {
            assertEquals(List.of("after-other"), fixture.snapshots(d));
        }
        assertEquals(List.of("first"), fixture.snapshots("spare"));
    }
}
