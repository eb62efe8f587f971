package io.blksnap.camel;

import java.time.Instant;
import java.util.List;

import io.blksnap.camel.dsl.EndpointBuilderFactory;
import io.blksnap.testing.Qemu;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static io.blksnap.camel.dsl.StaticEndpointBuilders.blksnap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Routes written with the generated endpoint DSL (io.blksnap.camel.dsl) run against real images. */
class EndpointDslTest extends BlksnapTestSupport {

    /** The builder-interface style: a RouteBuilder that implements the generated EndpointBuilderFactory. */
    static final class NightlyRoutes extends RouteBuilder implements EndpointBuilderFactory {
        @Override
        public void configure() {
            // a namePattern with "%d0", a percent-escape in a URI string: the DSL encodes the % itself
            from("direct:nightly")
                    .to(blksnap("g").operation(BlksnapOperations.snapshot).namePattern("n-%d0%H"))
                    .setHeader("snapshotTxn", header(blksnap().blksnapTransactionId()))
                    .to(blksnap("g").operation("prune").keepLast(1).timeout("10s"));
        }
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new NightlyRoutes();
    }

    @Test
    void aRouteOfBuildersSnapshotsAndPrunesRealImages() throws Exception {
        call("direct:nightly", BlksnapConstants.SNAPSHOT_TIME, Instant.parse("2026-11-01T05:00:00Z"));
        Exchange second = call("direct:nightly", BlksnapConstants.SNAPSHOT_TIME, Instant.parse("2026-11-02T06:00:00Z"));
        for (String d : fixture.devices) {
            assertEquals(List.of("n-02006"), Qemu.snapshotNames(fixture.image(d)), "pattern kept as written, older one pruned");
        }
        BlksnapPruneResult pruned = assertInstanceOf(BlksnapPruneResult.class, second.getMessage().getBody());
        assertEquals(List.of("n-01005"), pruned.pruned());
        String snapshotTxn = second.getMessage().getHeader("snapshotTxn", String.class);
        assertEquals(snapshotTxn, second.getMessage().getHeader(BlksnapConstants.TRANSACTION_ID));
        assertNotEquals(snapshotTxn, second.getMessage().getHeader(BlksnapConstants.PRUNE_TRANSACTION_ID));
        fixture.assertAllClean();
    }

    @Test
    void theStaticBuildersMakeTheSameUriAsAString() throws Exception {
        String uri = blksnap("g").operation(BlksnapOperations.prune).keepDaily(7).keepWithin("12h").dryRun(true)
                .getRawUri();
        BlksnapEndpoint fromBuilder = context.getEndpoint(uri, BlksnapEndpoint.class);
        BlksnapConfiguration c = fromBuilder.getConfiguration();
        assertEquals(BlksnapOperations.prune, c.getOperation());
        assertEquals(7, c.getKeepDaily());
        assertEquals("12h", c.getKeepWithin());
        assertEquals(true, c.isDryRun());
        assertEquals(context.getEndpoint("blksnap:g?operation=prune&keepDaily=7&keepWithin=12h&dryRun=true"),
                fromBuilder, "the same endpoint as the string URI");
    }
}
