package io.blksnap.camel;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.saga.InMemorySagaService;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * undo as a Saga's compensation: a step failing after the snapshot makes the saga call the compensation route,
 * whose {@code blksnap:g?operation=undo} removes the snapshot from every image.
 */
class SagaTest extends BlksnapTestSupport {

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        context.addService(new InMemorySagaService());
        return context;
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:backup")
                        .saga().compensation("direct:compensate")
                        .to("blksnap:g?operation=snapshot")
                        .to("direct:offsite");
                from("direct:offsite")
                        .filter(header("offsiteFails").isEqualTo(true))
                        .throwException(new IllegalStateException("offsite copy failed"));
                from("direct:compensate")
                        .to("blksnap:g?operation=undo")
                        .to("mock:compensated");
            }
        };
    }

    @Test
    void aFailureAfterTheSnapshotCompensatesItOnEveryImage() throws Exception {
        call("blksnap:g?operation=snapshot&name=earlier");
        MockEndpoint compensated = getMockEndpoint("mock:compensated");
        compensated.expectedMessageCount(1);

        Exchange e = send("direct:backup", BlksnapConstants.SNAPSHOT_NAME, "nightly", "offsiteFails", true);
        assertNotNull(e.getException());
        assertEquals("offsite copy failed", e.getException().getMessage());
        String made = e.getMessage().getHeader(BlksnapConstants.TRANSACTION_ID, String.class);
        assertNotNull(made, "the snapshot committed before the failing step");

        compensated.assertIsSatisfied(TimeUnit.SECONDS.toMillis(20));
        BlksnapTransaction undo = compensated.getReceivedExchanges().get(0).getMessage()
                .getBody(BlksnapTransaction.class);
        assertEquals(made, undo.undoes());
        assertTrue(undo.committed());
        assertEquals(2, undo.outcomes().size());
        for (String d : fixture.devices) {
            assertEquals(List.of("earlier"), fixture.snapshots(d), "nightly is gone from every image, earlier stays");
        }
        fixture.assertAllClean();
    }

    @Test
    void aSagaThatCompletesKeepsItsSnapshot() throws Exception {
        Exchange e = send("direct:backup", BlksnapConstants.SNAPSHOT_NAME, "nightly", "offsiteFails", false);
        assertNull(e.getException());
        Thread.sleep(500);
        assertEquals(0, getMockEndpoint("mock:compensated").getReceivedCounter());
        for (String d : fixture.devices) {
            assertEquals(List.of("nightly"), fixture.snapshots(d));
        }
    }

    @Test
    void aSagaWhoseSnapshotWasRefusedCompensatesWithNothingToUndo() throws Exception {
        call("blksnap:g?operation=snapshot&name=nightly");
        var before = fixture.fingerprint();
        MockEndpoint compensated = getMockEndpoint("mock:compensated");
        compensated.expectedMessageCount(1);

        Exchange e = send("direct:backup", BlksnapConstants.SNAPSHOT_NAME, "nightly", "offsiteFails", true);
        assertTrue(e.getException() instanceof BlksnapInvalidRequestException, String.valueOf(e.getException()));
        compensated.assertIsSatisfied(TimeUnit.SECONDS.toMillis(20));
        BlksnapTransaction undo = compensated.getReceivedExchanges().get(0).getMessage()
                .getBody(BlksnapTransaction.class);
        assertTrue(undo.committed());
        assertTrue(undo.reason().startsWith("nothing to undo"), undo.reason());
        assertEquals(before, fixture.fingerprint(), "the earlier nightly snapshot is not this saga's: it stays");
    }
}
