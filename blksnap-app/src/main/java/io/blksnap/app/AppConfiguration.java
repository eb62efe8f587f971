package io.blksnap.app;

import io.blksnap.registry.DeviceRegistry;
import io.blksnap.txn.EngineOptions;
import io.blksnap.txn.RecoveryReport;
import io.blksnap.txn.SnapshotEngine;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
        context.getRegistry().bind("errorReply", new ErrorReplyProcessor());

        // users and roles files of the operator sit beside devices.yaml (the configuration directory)
        Path configDir = devices.getParent();
        Path configRoles = configDir.resolve(property(context, "blksnap.broker.roles-file", "broker-roles.properties"));
        String brokerUrl = property(context, "blksnap.broker.url", "tcp://localhost:61616");
        ActiveMQConnectionFactory connections;
        List<Path> roleFiles;
        if (Boolean.parseBoolean(property(context, "blksnap.broker.embedded", "true"))) {
            Path data = base.resolve(property(context, "blksnap.broker.data-dir", "work/broker"));
            String credentialsDir = property(context, "blksnap.broker.credentials-dir", "");
            BrokerSecurity security = BrokerSecurity.open(
                    credentialsDir.isBlank() ? registry.stateDir().resolve("broker-credentials")
                            : base.resolve(credentialsDir),
                    configDir.resolve(property(context, "blksnap.broker.users-file", "broker-users.properties")),
                    configRoles);
            Tls tls = tls(context, base);
            context.addService(new EmbeddedBroker(brokerUrl, data, security, tls == null ? Map.of() : Map.of(
                    "sslEnabled", true, "keyStorePath", tls.keystore(), "keyStorePassword", tls.password())),
                    true, true);
            LOG.info("embedded ActiveMQ Artemis broker on {}{}; clients authenticate, generated credentials"
                    + " (users {} and {}) are in {}", brokerUrl, tls == null ? "" : " (TLS)", BrokerSecurity.APP_USER,
                    BrokerSecurity.ADMIN_USER, security.generatedDir().resolve(BrokerSecurity.USERS));
            // the application's own connection trusts the broker's keystore
            connections = connectionFactory(brokerUrl, tls == null ? Map.of() : Map.of(
                    "sslEnabled", true, "trustStorePath", tls.keystore(), "trustStorePassword", tls.password()));
            connections.setUser(BrokerSecurity.APP_USER);
            connections.setPassword(security.password(BrokerSecurity.APP_USER));
            roleFiles = security.roleFiles();
        } else {
            // an external broker authenticates on its own terms (and must populate the validated user)
            connections = new ActiveMQConnectionFactory(brokerUrl);
            String user = property(context, "blksnap.broker.user", "");
            if (!user.isBlank()) {
                connections.setUser(user);
                connections.setPassword(property(context, "blksnap.broker.password", ""));
            }
            roleFiles = List.of(configRoles);
        }
        context.getRegistry().bind("queueRequests",
                new QueueRequestProcessor(new QueueRequestValidator(registry), new QueueAccess(roleFiles)));
        context.getRegistry().bind("connectionFactory", connections);
        context.addService(new HealthChecks(context, new EngineHealthCheck(engine), new BrokerHealthCheck(connections)),
                true, true);
    }

    private record Tls(String keystore, String password) {
    }

    /** The acceptor's keystore when blksnap.broker.tls.enabled; null when TLS is off. */
    private static Tls tls(CamelContext context, Path base) {
        if (!Boolean.parseBoolean(property(context, "blksnap.broker.tls.enabled", "false"))) {
            return null;
        }
        String path = property(context, "blksnap.broker.tls.keystore-path", "");
        if (path.isBlank()) {
            throw new IllegalArgumentException("blksnap.broker.tls.enabled needs blksnap.broker.tls.keystore-path");
        }
        return new Tls(base.resolve(path).toString(), property(context, "blksnap.broker.tls.keystore-password", ""));
    }

    /** A connection factory for the url, with extra transport parameters (TLS) added as parameters. */
    private static ActiveMQConnectionFactory connectionFactory(String url, Map<String, Object> extra) {
        ActiveMQConnectionFactory plain = new ActiveMQConnectionFactory(url);
        if (extra.isEmpty()) {
            return plain;
        }
        TransportConfiguration[] connectors = plain.getStaticConnectors();
        for (int i = 0; i < connectors.length; i++) {
            Map<String, Object> params = new HashMap<>(connectors[i].getParams());
            params.putAll(extra);
            connectors[i] = new TransportConfiguration(connectors[i].getFactoryClassName(), params,
                    connectors[i].getName());
        }
        plain.close();
        return new ActiveMQConnectionFactory(false, connectors);
    }

    private static String property(CamelContext context, String key, String fallback) {
        return context.getPropertiesComponent().resolveProperty(key).orElse(fallback);
    }
}
