package io.blksnap.camel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import io.blksnap.txn.SnapshotEngine;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blksnap component: group snapshots of qcow2 disks as journaled transactions. It works with a
 * {@link SnapshotEngine} bean (autowired), or opens and owns one from a devices.yaml ({@code configFile}), closing
 * it when it stops.
 */
@Component("blksnap")
public class BlksnapComponent extends DefaultComponent {

    private static final Logger LOG = LoggerFactory.getLogger(BlksnapComponent.class);

    @Metadata
    private BlksnapConfiguration configuration = new BlksnapConfiguration();
    @Metadata(autowired = true)
    private SnapshotEngine engine;
    @Metadata
    private String configFile;
    @Metadata(label = "advanced")
    private String baseDir;

    private SnapshotEngine ownEngine;
    private final SagaTransactions sagas = new SagaTransactions();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("blksnap needs a group: blksnap:group");
        }
        BlksnapConfiguration conf = configuration != null ? configuration.copy() : new BlksnapConfiguration();
        BlksnapEndpoint endpoint = new BlksnapEndpoint(uri, this, conf);
        endpoint.setGroup(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** The engine: the configured bean, or the one this component opened from {@code configFile}. */
    public synchronized SnapshotEngine engine() throws IOException {
        if (configFile != null) {
            if (ownEngine == null) {
                if (engine != null) {
                    LOG.warn("configFile {} is set: ignoring the SnapshotEngine bean", configFile);
                }
                Path base = Path.of(baseDir != null ? baseDir : "");
                ownEngine = SnapshotEngine.open(Path.of(configFile), base);
                LOG.info("Opened a blksnap engine on {} ({} transactions recovered at start)",
                        base.toAbsolutePath().resolve(configFile), ownEngine.startupRecovery().resolved().size());
            }
            return ownEngine;
        }
        if (engine == null) {
            throw new IllegalStateException("blksnap needs a SnapshotEngine bean (engine) or a devices.yaml (configFile)");
        }
        return engine;
    }

    /** The engine this component opened from configFile and owns, or null. */
    synchronized SnapshotEngine ownedEngine() {
        return ownEngine;
    }

    SagaTransactions sagas() {
        return sagas;
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (ownEngine != null) {
            ownEngine.close();
            ownEngine = null;
        }
        super.doStop();
    }

    public BlksnapConfiguration getConfiguration() {
        return configuration;
    }

    /**
     * The endpoint options every endpoint of this component starts from.
     */
    public void setConfiguration(BlksnapConfiguration configuration) {
        this.configuration = configuration;
    }

    public SnapshotEngine getEngine() {
        return engine;
    }

    /**
     * The blksnap engine to use: an io.blksnap.txn.SnapshotEngine bean (made with
     * io.blksnap.txn.SnapshotEngine.open(devicesYaml)), autowired when the registry holds exactly one; its owner
     * opens and closes it.
     */
    public void setEngine(SnapshotEngine engine) {
        this.engine = engine;
    }

    public String getConfigFile() {
        return configFile;
    }

    /**
     * A devices.yaml: the component then opens its own engine on it (recovering what a crash left), and closes it
     * when the component stops. It takes precedence over engine. A relative configFile, and the relative paths
     * inside it, resolve against baseDir.
     */
    public void setConfigFile(String configFile) {
        this.configFile = configFile;
    }

    public String getBaseDir() {
        return baseDir;
    }

    /**
     * The directory configFile and the relative paths inside it resolve against; a relative baseDir resolves against
     * the working directory, which is the default.
     */
    public void setBaseDir(String baseDir) {
        this.baseDir = baseDir;
    }
}
