package io.blksnap.camel;

import java.util.List;
import java.util.Map;

import io.blksnap.testing.Qemu;
import io.blksnap.txn.EngineOptions;
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
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each typed error reaches its own onException, and none leaves a partial change. */
class ErrorsTest extends BlksnapTestSupport {

    @Override
    EngineOptions engineOptions() {
        // devices prepared one after another, so "the second image opened" is disk1
        return EngineOptions.defaults().withParallelism(1);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                onException(BlksnapInvalidRequestException.class).handled(true).to("mock:invalid");
                onException(BlksnapTransactionAbortedException.class).handled(true).to("mock:aborted");
                onException(BlksnapException.class).handled(true).to("mock:failed");
                from("direct:snapshot").to("blksnap:g?operation=snapshot&timeout=300ms");
                from("direct:delete").to("blksnap:g?operation=delete");
                from("direct:apply").to("blksnap:g?operation=apply");
                from("direct:undo").to("blksnap:g?operation=undo");
                from("direct:noOperation").to("blksnap:g");
            }
        };
    }

    private static Exception caught(MockEndpoint mock, int i) {
        return mock.getReceivedExchanges().get(i).getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
    }

    @Test
    void refusedRequestsReachOnExceptionAsInvalidRequestsAndChangeNothing() throws Exception {
        call("direct:snapshot", BlksnapConstants.SNAPSHOT_NAME, "dup");
        Qemu.img("snapshot", "-c", "only-on-disk0", fixture.image("disk0").toString()).ok();
        Map<String, String> before = fixture.fingerprint();

        call("direct:snapshot", BlksnapConstants.SNAPSHOT_NAME, "dup");
        call("direct:delete", BlksnapConstants.SNAPSHOT_NAME, "missing");
        call("direct:apply", BlksnapConstants.SNAPSHOT_NAME, "only-on-disk0");
        call("direct:undo", BlksnapConstants.TRANSACTION_ID, "tx-nope");
        call("direct:undo");
        call("direct:noOperation");
        call("direct:snapshot", BlksnapConstants.OPERATION, "explode");
        call("direct:snapshot", BlksnapConstants.SNAPSHOT_TIME, "yesterday");
        call("direct:snapshot", BlksnapConstants.TYPE, "external", BlksnapConstants.SNAPSHOT_NAME, "../escape");

        MockEndpoint invalid = getMockEndpoint("mock:invalid");
        assertEquals(9, invalid.getReceivedCounter());
        assertEquals(0, getMockEndpoint("mock:aborted").getReceivedCounter());
        assertEquals(0, getMockEndpoint("mock:failed").getReceivedCounter());
        String[] reasons = {"already exists", "no snapshot named \"missing\"", "does not exist", "unknown transaction",
            "undo needs a transaction id", "no operation", "unknown operation", "is not an instant", "file name"};
        for (int i = 0; i < reasons.length; i++) {
            Exception e = caught(invalid, i);
            assertInstanceOf(BlksnapInvalidRequestException.class, e);
            assertTrue(e.getMessage().contains(reasons[i]), i + ": " + e.getMessage());
        }
        assertEquals("disk0", ((BlksnapInvalidRequestException) caught(invalid, 0)).getDevice());
        assertEquals("disk1", ((BlksnapInvalidRequestException) caught(invalid, 2)).getDevice(),
                "disk1 has no snapshot only-on-disk0: the whole apply is refused");
        assertEquals(before, fixture.fingerprint(), "no refused request changed a byte");
        fixture.assertAllClean();
    }

    @Test
    void aFailedTransactionRollsBackAndCarriesEveryDevicesOutcome() throws Exception {
        Map<String, String> before = fixture.fingerprint();
        faults.failWritesOfImage(1);
        call("direct:snapshot", BlksnapConstants.SNAPSHOT_NAME, "x");

        MockEndpoint aborted = getMockEndpoint("mock:aborted");
        assertEquals(1, aborted.getReceivedCounter());
        BlksnapTransactionAbortedException e = assertInstanceOf(BlksnapTransactionAbortedException.class,
                caught(aborted, 0));
        assertNotNull(e.getTransactionId());
        assertEquals(e.getTransactionId(),
                aborted.getReceivedExchanges().get(0).getMessage().getHeader(BlksnapConstants.TRANSACTION_ID));
        assertEquals("ABORTED", e.getTransaction().status());
        assertEquals("disk1", e.getFailedDevice());
        assertTrue(e.getReason().contains("injected write failure"), e.getReason());
        List<BlksnapOutcome> outcomes = e.getOutcomes();
        assertEquals("disk0", outcomes.get(0).device());
        assertEquals("INVALIDATED", outcomes.get(0).step(), "prepared, then undone");
        assertEquals("disk1", outcomes.get(1).device());
        assertEquals("FAILED", outcomes.get(1).step());
        assertTrue(outcomes.get(1).error().contains("injected write failure"));
        for (String d : fixture.devices) {
            assertEquals(List.of(), fixture.snapshots(d));
        }
        fixture.assertAllClean();
        assertEquals(before.keySet(), fixture.fingerprint().keySet(), "no overlay or other file left behind");
    }

    @Test
    void devicesBusyPastTheTimeoutAbortTheOperationBeforeItStarts() throws Exception {
        faults.stallAt("begin", 2_000);
        var slow = template.asyncSend("direct:snapshot", x -> x.getMessage().setHeader(BlksnapConstants.SNAPSHOT_NAME,
                "slow"));
        faults.awaitStall();
        call("direct:snapshot", BlksnapConstants.SNAPSHOT_NAME, "fast");
        MockEndpoint aborted = getMockEndpoint("mock:aborted");
        assertEquals(1, aborted.getReceivedCounter());
        BlksnapTransactionAbortedException e = assertInstanceOf(BlksnapTransactionAbortedException.class,
                caught(aborted, 0));
        assertNull(e.getTransactionId(), "no transaction started");
        assertTrue(e.getReason().contains("busy"), e.getReason());
        assertTrue(e.getOutcomes().stream().allMatch(o -> o.step().equals("CANCELLED")));
        assertEquals(2, e.getOutcomes().size());

        assertNull(slow.get().getException());
        for (String d : fixture.devices) {
            assertEquals(List.of("slow"), fixture.snapshots(d));
        }
        fixture.assertAllClean();
    }

    @Test
    void anIoFailurePastTheCommitPointIsABlksnapExceptionThatRecoveryCompletes() throws Exception {
        faults.failAt("commit");
        call("direct:snapshot", BlksnapConstants.SNAPSHOT_NAME, "committed");
        MockEndpoint failed = getMockEndpoint("mock:failed");
        assertEquals(1, failed.getReceivedCounter());
        assertSame(BlksnapException.class, caught(failed, 0).getClass(),
                "neither refused nor rolled back: its outcome is recovery's");

        RecoveryReport report = engine.recover();
        assertEquals(1, report.resolved().size());
        assertEquals("ROLLED_FORWARD", report.resolved().get(0).status().name());
        for (String d : fixture.devices) {
            assertEquals(List.of("committed"), fixture.snapshots(d));
        }
        fixture.assertAllClean();
    }
}
