package io.blksnap.camel.springboot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.blksnap.camel.BlksnapComponent;
import io.blksnap.txn.SnapshotEngine;
import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.apache.camel.spring.boot.ComponentConfigurationProperties;
import org.apache.camel.spring.boot.util.CamelPropertiesHelper;
import org.apache.camel.spring.boot.util.ConditionalOnCamelContextAndAutoConfigurationBeans;
import org.apache.camel.spring.boot.util.ConditionalOnHierarchicalProperties;
import org.apache.camel.spring.boot.util.HierarchicalPropertiesEvaluator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Lazy;

/**
 * Configures the blksnap component from {@code camel.component.blksnap.*}, and opens the {@link SnapshotEngine} bean
 * from {@code camel.component.blksnap.config-file} when the application has none.
 */
@AutoConfiguration(after = {CamelAutoConfiguration.class, BlksnapComponentConverter.class})
@Conditional(ConditionalOnCamelContextAndAutoConfigurationBeans.class)
@EnableConfigurationProperties({ComponentConfigurationProperties.class, BlksnapComponentConfiguration.class})
@ConditionalOnHierarchicalProperties({"camel.component", "camel.component.blksnap"})
public class BlksnapComponentAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(BlksnapComponentAutoConfiguration.class);

    /**
     * Options that are not copied onto the component: the starter's own switches, and the devices.yaml options, which
     * open the engine bean here (copied, they would make the component open a second engine on the same state).
     */
    private static final Set<String> NOT_COPIED = Set.of("enabled", "customizer", "configfile", "basedir");

    /** The engine {@link #blksnapEngine} opened, or null when the application defines its own. */
    private volatile SnapshotEngine opened;

    /**
     * The engine over {@code config-file}, resolved like the component's configFile: against {@code base-dir}, or
     * the working directory. Opening it recovers what a crashed run left; Spring closes it after the Camel context
     * has stopped (Camel stops with the context's lifecycle, before singletons are destroyed).
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(SnapshotEngine.class)
    @ConditionalOnProperty(prefix = "camel.component.blksnap", name = "config-file")
    public SnapshotEngine blksnapEngine(BlksnapComponentConfiguration configuration) throws IOException {
        Path base = Path.of(configuration.getBaseDir() != null ? configuration.getBaseDir() : "").toAbsolutePath();
        Path yaml = base.resolve(configuration.getConfigFile());
        SnapshotEngine engine = SnapshotEngine.open(yaml, base);
        LOG.info("Opened a blksnap engine on {} ({} transactions recovered at start)", yaml,
                engine.startupRecovery().resolved().size());
        opened = engine;
        return engine;
    }

    @Lazy
    @Bean
    public ComponentCustomizer configureBlksnapComponent(ApplicationContext applicationContext,
            CamelContext camelContext, BlksnapComponentConfiguration configuration,
            ObjectProvider<SnapshotEngine> engines) {
        return new ComponentCustomizer() {
            @Override
            public void configure(String name, Component target) {
                Map<String, Object> options = CamelPropertiesHelper.getNonNullProperties(camelContext, configuration);
                options.keySet().removeIf(k -> NOT_COPIED.contains(k.toLowerCase(Locale.ROOT)));
                // an option the component does not take fails the start rather than being dropped
                CamelPropertiesHelper.setCamelProperties(camelContext, target, options, true);
                BlksnapComponent component = (BlksnapComponent) target;
                if (configuration.getConfigFile() == null) {
                    return;
                }
                engines.getIfUnique(); // opens the engine now if nothing has asked for it yet
                if (opened == null) {
                    LOG.warn("camel.component.blksnap.config-file {} opens no engine: the application defines its own"
                            + " SnapshotEngine bean", configuration.getConfigFile());
                } else if (component.getEngine() == null) {
                    // set, not left to autowiring, so config-file works with autowired-enabled=false too
                    component.setEngine(opened);
                }
            }

            @Override
            public boolean isEnabled(String name, Component target) {
                return HierarchicalPropertiesEvaluator.evaluate(applicationContext, "camel.component.customizer",
                        "camel.component.blksnap.customizer") && target instanceof BlksnapComponent;
            }
        };
    }
}
