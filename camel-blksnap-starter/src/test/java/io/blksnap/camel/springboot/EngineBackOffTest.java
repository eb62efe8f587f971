package io.blksnap.camel.springboot;

import java.nio.file.Files;
import java.nio.file.Path;

import io.blksnap.registry.DeviceRegistry;
import io.blksnap.txn.EngineOptions;
import io.blksnap.txn.SnapshotEngine;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the starter opens an engine: only for config-file, and never beside the application's own. */
class EngineBackOffTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(CamelAutoConfiguration.class, BlksnapComponentConverter.class,
                    BlksnapComponentAutoConfiguration.class));

    @Test
    void opensNoEngineWithoutConfigFile() {
        runner.run(context -> {
            assertNull(context.getStartupFailure());
            assertTrue(context.getBeansOfType(SnapshotEngine.class).isEmpty());
        });
    }

    @Test
    void theApplicationsEngineWinsOverConfigFile(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("devices.yaml");
        Files.writeString(yaml, "stateDir: state\ndevices: []\n");
        try (SnapshotEngine own = SnapshotEngine.open(DeviceRegistry.load(yaml, dir), EngineOptions.defaults())) {
            // a config-file that does not exist: opening it would fail the start
            runner.withBean("myEngine", SnapshotEngine.class, () -> own, b -> b.setDestroyMethodName(""))
                    .withPropertyValues("camel.component.blksnap.config-file=" + dir.resolve("missing.yaml"))
                    .run(context -> {
                        assertNull(context.getStartupFailure());
                        assertSame(own, context.getBean(SnapshotEngine.class));
                    });
        }
    }

    @Test
    void aMissingConfigFileFailsTheStart(@TempDir Path dir) {
        runner.withPropertyValues("camel.component.blksnap.config-file=" + dir.resolve("missing.yaml"))
                .run(context -> {
                    Throwable failure = context.getStartupFailure();
                    assertNotNull(failure);
                    while (failure.getCause() != null) {
                        failure = failure.getCause();
                    }
                    assertTrue(String.valueOf(failure.getMessage()).contains("missing.yaml"), failure.toString());
                });
    }

    @Test
    void disabledOpensNothing(@TempDir Path dir) {
        runner.withPropertyValues("camel.component.blksnap.enabled=false",
                "camel.component.blksnap.config-file=" + dir.resolve("missing.yaml"))
                .run(context -> {
                    assertNull(context.getStartupFailure());
                    assertTrue(context.getBeansOfType(SnapshotEngine.class).isEmpty());
                });
    }
}
