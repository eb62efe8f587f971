package io.blksnap.camel;

import java.time.Instant;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The natural backup route, snapshot, export, prune, then a step that fails, whose failure handler undoes the
 * snapshot: prune reports its own transaction in its own header, so the handler's undo hits the snapshot and not
 * the prune. Judged by qemu-img's snapshot list of every image.
 */
class UndoAfterPruneTest extends BlksnapTestSupport {

    static final class PublishFailedException extends RuntimeException {
        PublishFailedException() {
            super("publishing the backup failed");
        }
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                onException(PublishFailedException.class).handled(true)
                        .to("blksnap:g?operation=undo")
                        .to("mock:undone");
                from("direct:backup")
                        .to("blksnap:g?operation=snapshot")
                        .to("mock:exported")
                        .to("blksnap:g?operation=prune&keepLast=2")
                        .filter(header("publishFails").isEqualTo(true))
                        .throwException(new PublishFailedException());
            }
        };
    }

    private Exchange backup(String name, String time, boolean publishFails) {
        return send("direct:backup", BlksnapConstants.SNAPSHOT_NAME, name,
                BlksnapConstants.SNAPSHOT_TIME, Instant.parse(time), "publishFails", publishFails);
    }

    @Test
    void theFailureHandlersUndoRemovesExactlyTheNewSnapshotAfterPruneDeletedAnOlderOne() throws Exception {
        assertEquals(null, backup("a", "2026-11-24T12:00:00Z", false).getException());
        assertEquals(null, backup("b", "2026-11-25T12:00:00Z", false).getException());
        MockEndpoint undone = getMockEndpoint("mock:undone");
        undone.expectedMessageCount(1);

        Exchange e = backup("c", "2026-11-26T12:00:00Z", true);
        undone.assertIsSatisfied();
        assertEquals(null, e.getException(), "handled by the failure handler");
        String snapshotTx = getMockEndpoint("mock:exported").getReceivedExchanges().get(2).getMessage()
                .getHeader(BlksnapConstants.TRANSACTION_ID, String.class);
        Exchange handled = undone.getReceivedExchanges().get(0);
        String pruneTx = handled.getMessage().getHeader(BlksnapConstants.PRUNE_TRANSACTION_ID, String.class);
        assertNotNull(pruneTx, "prune deleted a");
        assertNotEquals(snapshotTx, pruneTx);
        assertEquals(snapshotTx, handled.getMessage().getHeader(BlksnapConstants.TRANSACTION_ID),
                "prune left the snapshot's id in place");
        BlksnapTransaction undo = handled.getMessage().getBody(BlksnapTransaction.class);
        assertEquals(snapshotTx, undo.undoes());
        assertTrue(undo.committed());
        for (String d : fixture.devices) {
            assertEquals(List.of("b"), fixture.snapshots(d), "a pruned, c undone, b untouched");
        }
        fixture.assertAllClean();
    }
}
