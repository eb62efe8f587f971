package io.blksnap.app;

import io.blksnap.registry.DeviceRegistry;
import io.blksnap.txn.EngineOptions;
import io.blksnap.txn.RecoveryReport;
import io.blksnap.txn.SnapshotEngine;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Wires the application: the snapshot engine over devices.yaml (recovering first), the demo
 * images when they are missing, the embedded broker or an external one, and
 * the queue request processor ({@code queueRequests}). Long-lived things are Camel services, started before the routes.
 */
public final class AppConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(AppConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Path base = Path.of("").toAbsolutePath();
        Path devices = base.resolve(property(context, "blksnap.devices-file", "config/devices.yaml"));
        DeviceRegistry registry = DeviceRegistry.load(devices, base);
        String group = property(context, "blksnap.group", "demo");
        if (Boolean.parseBoolean(property(context, "blksnap.demo.create-images", "true"))) {
            List<String> created = DemoImages.ensure(registry, group);
            created.forEach(p -> LOG.info("created demo image {}", p));
        }
        Duration lockTimeout = Duration.parse(property(context, "blksnap.lock-timeout", "PT30S"));
        SnapshotEngine engine = SnapshotEngine.open(registry, EngineOptions.defaults().withLockTimeout(lockTimeout));
        RecoveryReport recovered = engine.startupRecovery();
        recovered.resolved().forEach(r -> LOG.warn("recovered transaction {}: {}", r.id(), r.status()));
        recovered.pending().forEach(p -> LOG.error("transaction still needs recovery: {}", p));
        context.getRegistry().bind("blksnapEngine", engine);
        context.addService(new EngineService(engine), true, true);
        context.getRegistry().bind("queueRequests", new QueueRequestProcessor(new QueueRequestValidator(registry)));
        context.getRegistry().bind("errorReply", new ErrorReplyProcessor());

        String brokerUrl = property(context, "blksnap.broker.url", "tcp://localhost:61616");
        if (Boolean.parseBoolean(property(context, "blksnap.broker.embedded", "true"))) {
            Path data = base.resolve(property(context, "blksnap.broker.data-dir", "work/broker"));
            context.addService(new EmbeddedBroker(brokerUrl, data), true, true);
            LOG.info("embedded ActiveMQ Artemis broker on {}", brokerUrl);
        }
        ActiveMQConnectionFactory connections = new ActiveMQConnectionFactory(brokerUrl);
        context.getRegistry().bind("connectionFactory", connections);
        context.addService(new HealthChecks(context, new EngineHealthCheck(engine), new BrokerHealthCheck(connections)),
                true, true);
    }

    private static String property(CamelContext context, String key, String fallback) {
        return context.getPropertiesComponent().resolveProperty(key).orElse(fallback);
    }
}
