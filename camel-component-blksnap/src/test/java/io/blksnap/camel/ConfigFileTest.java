package io.blksnap.camel;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import io.blksnap.testing.GroupFixture;
import io.blksnap.txn.EngineOptions;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.Transaction;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@code configFile} the component opens and owns its engine: the engine's startup recovery runs, consumers
 * deliver what it recovered, and stopping the component closes the engine (a restart opens a new one).
 */
class ConfigFileTest {

    @TempDir
    Path dir;

    @Test
    void theComponentOpensItsOwnEngineAndDeliversWhatItsStartupRecovered() throws Exception {
        GroupFixture f = BlksnapTestSupport.fixture(dir, 2);
        Faults faults = new Faults();
        try (SnapshotEngine crashing = SnapshotEngine.open(f.registry(),
                EngineOptions.defaults().withFaults(faults))) {
            faults.failAt("commit");
            Transaction t = crashing.begin()
                    .add(InternalSnapshotRequest.create("disk0", "crashed", Instant.now()))
                    .add(InternalSnapshotRequest.create("disk1", "crashed", Instant.now()));
            assertThrows(IOException.class, t::submit);
            assertTrue(crashing.history().isEmpty(), "the crashed transaction is still in the live journal");
        }

        CamelContext context = new DefaultCamelContext();
        try {
            BlksnapComponent component = new BlksnapComponent();
            component.setConfigFile("devices.yaml");
            component.setBaseDir(dir.toString());
            context.addComponent("blksnap", component);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("blksnap:g?events=recovered").to("mock:recovered");
                    from("direct:snapshot").to("blksnap:g?operation=snapshot");
                }
            });
            MockEndpoint recovered = context.getEndpoint("mock:recovered", MockEndpoint.class);
            recovered.expectedMessageCount(1);
            recovered.setAssertPeriod(300);
            context.start();
            recovered.assertIsSatisfied();
            BlksnapEvent e = recovered.getReceivedExchanges().get(0).getMessage().getBody(BlksnapEvent.class);
            assertEquals("RECOVERED", e.kind());
            assertEquals("ROLLED_FORWARD", e.transaction().status());
            assertEquals(List.of("crashed"), f.snapshots("disk0"), "rolled forward: the snapshot stays");

            ProducerTemplate template = context.createProducerTemplate();
            template.sendBodyAndHeader("direct:snapshot", null, BlksnapConstants.SNAPSHOT_NAME, "after");
            assertEquals(List.of("crashed", "after"), f.snapshots("disk1"));

            assertNotNull(component.ownedEngine());
            context.stop();
            assertNull(component.ownedEngine(), "stopping the component closed the engine it owned");
        } finally {
            context.stop();
        }

        // a new context opens a new engine, which has nothing left to recover
        CamelContext again = new DefaultCamelContext();
        try {
            BlksnapComponent component = new BlksnapComponent();
            component.setConfigFile(dir.resolve("devices.yaml").toString());
            component.setBaseDir(dir.toString()); // the relative paths inside devices.yaml
            again.addComponent("blksnap", component);
            again.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("blksnap:g?events=recovered").to("mock:recovered");
                }
            });
            MockEndpoint recovered = again.getEndpoint("mock:recovered", MockEndpoint.class);
            recovered.expectedMessageCount(0);
            recovered.setAssertPeriod(300);
            again.start();
            again.createProducerTemplate().sendBodyAndHeader("blksnap:g?operation=snapshot", null,
                    BlksnapConstants.SNAPSHOT_NAME, "restarted");
            assertEquals(List.of("crashed", "after", "restarted"), f.snapshots("disk0"));
            recovered.assertIsSatisfied();
        } finally {
            again.stop();
        }
        f.assertAllClean();
        assertTrue(f.snapshots("spare").isEmpty());
    }
}
