package io.blksnap.app;

import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.camel.support.service.ServiceSupport;

import java.nio.file.Path;

/**
 * The ActiveMQ Artemis broker the application starts by default, as a Camel service so it is
 * up before the routes that consume from it and down after them.
 */
final class EmbeddedBroker extends ServiceSupport {

    private final String acceptorUrl;
    private final Path dataDir;
    private EmbeddedActiveMQ broker;

    EmbeddedBroker(String acceptorUrl, Path dataDir) {
        this.acceptorUrl = acceptorUrl;
        this.dataDir = dataDir;
    }

    @Override
    protected void doStart() throws Exception {
        Configuration config = new ConfigurationImpl()
                .setPersistenceEnabled(true)
                .setJournalDirectory(dataDir.resolve("journal").toString())
                .setBindingsDirectory(dataDir.resolve("bindings").toString())
                .setLargeMessagesDirectory(dataDir.resolve("large-messages").toString())
                .setPagingDirectory(dataDir.resolve("paging").toString())
                .setSecurityEnabled(false)
                .addAcceptorConfiguration("blksnap", acceptorUrl);
        broker = new EmbeddedActiveMQ();
        broker.setConfiguration(config);
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
