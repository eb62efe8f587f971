package io.blksnap.app;

import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.camel.support.service.ServiceSupport;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The ActiveMQ Artemis broker the application starts by default, as a Camel service so it is
 * up before the routes that consume from it and down after them. It authenticates every
 * connection and stamps the authenticated user on each message ({@link BrokerSecurity}); with
 * {@code tls} parameters (sslEnabled, keyStorePath, ...) its acceptor speaks TLS.
 */
final class EmbeddedBroker extends ServiceSupport {

    private final String acceptorUrl;
    private final Path dataDir;
    private final BrokerSecurity security;
    private final Map<String, Object> tls;
    private EmbeddedActiveMQ broker;

    EmbeddedBroker(String acceptorUrl, Path dataDir, BrokerSecurity security, Map<String, Object> tls) {
        this.acceptorUrl = acceptorUrl;
        this.dataDir = dataDir;
        this.security = security;
        this.tls = Map.copyOf(tls);
    }

    @Override
    protected void doStart() throws Exception {
        Configuration config = new ConfigurationImpl()
                .setPersistenceEnabled(true)
                .setJournalDirectory(dataDir.resolve("journal").toString())
                .setBindingsDirectory(dataDir.resolve("bindings").toString())
                .setLargeMessagesDirectory(dataDir.resolve("large-messages").toString())
                .setPagingDirectory(dataDir.resolve("paging").toString())
                .setSecurityEnabled(true)
                // overwrites any _AMQ_VALIDATED_USER a client set with the user it authenticated
                .setPopulateValidatedUser(true)
                .setSecurityRoles(BrokerSecurity.addressRoles())
                .addAcceptorConfiguration("blksnap", acceptorUrl);
        if (!tls.isEmpty()) {
            // passwords go in as parameters, never into a URL
            TransportConfiguration plain = config.getAcceptorConfigurations().iterator().next();
            Map<String, Object> params = new HashMap<>(plain.getParams());
            params.putAll(tls);
            config.clearAcceptorConfigurations().addAcceptorConfiguration(
                    new TransportConfiguration(plain.getFactoryClassName(), params, plain.getName()));
        }
        broker = new EmbeddedActiveMQ();
        broker.setConfiguration(config);
        broker.setSecurityManager(security.securityManager());
        broker.start();
    }

    @Override
    protected void doStop() throws Exception {
        if (broker != null) {
            broker.stop();
            broker = null;
        }
    }
}
