package io.blksnap.camel.springboot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.blksnap.camel.BlksnapComponent;
import io.blksnap.camel.BlksnapEndpoint;
import io.blksnap.camel.BlksnapOperations;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Qemu;
import io.blksnap.txn.SnapshotEngine;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Spring Boot application with the starter: a YAML route snapshots a group of three qcow2 images made by
 * qemu-img, configured only through camel.component.blksnap.* properties (the devices.yaml, the operation, the
 * name pattern, the lock timeout); judged by qemu-img snapshot -l and qemu-img check.
 */
@CamelSpringBootTest
@SpringBootTest(classes = BlksnapStarterTest.App.class, properties = {
        "camel.main.routes-include-pattern=classpath:routes/snapshot.camel.yaml",
        "camel.component.blksnap.config-file=devices.yaml",
        "camel.component.blksnap.operation=snapshot",
        "camel.component.blksnap.name-pattern=boot-%Y%m%d%H%M%S",
        "camel.component.blksnap.timeout=5s"})
class BlksnapStarterTest {

    private static final List<String> DEVICES = List.of("sb-vm1", "sb-vm2", "sb-vm3");
    private static Path dir;
    private static final Map<String, Path> IMAGES = new LinkedHashMap<>();

    @SpringBootApplication
    static class App {
    }

    /** Runs before the application context starts: the images and a devices.yaml with relative paths. */
    @DynamicPropertySource
    static void devices(DynamicPropertyRegistry properties) throws Exception {
        Qemu.require("qemu-img");
        GroupFixture f = GroupFixture.in(Files.createTempDirectory("blksnap-starter-test"))
                .group("t", DEVICES.toArray(String[]::new)).written("64k").create();
        dir = f.dir;
        for (String d : DEVICES) {
            IMAGES.put(d, f.image(d));
        }
        // the relative config-file and the relative paths inside it resolve against base-dir
        properties.add("camel.component.blksnap.base-dir", dir::toString);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Autowired
    CamelContext camel;

    @Autowired
    SnapshotEngine engine;

    @EndpointInject("mock:done")
    MockEndpoint done;

    @Test
    void snapshotsTheGroupConfiguredByProperties() throws Exception {
        // the timer fires once at start, possibly before this test runs
        done.setResultWaitTime(30_000);
        done.expectedMinimumMessageCount(1);
        done.assertIsSatisfied();
        Exchange result = done.getReceivedExchanges().get(0);
        assertNull(result.getException());

        // the component uses the engine bean the starter opened, and opened none of its own
        BlksnapComponent component = camel.getComponent("blksnap", BlksnapComponent.class);
        assertSame(engine, component.getEngine());
        assertNull(component.getConfigFile(), "config-file opens the bean, not a second engine in the component");
        assertEquals(dir.resolve("state"), engine.registry().stateDir());
        BlksnapEndpoint endpoint = camel.getEndpoint("blksnap:t", BlksnapEndpoint.class);
        assertEquals(BlksnapOperations.snapshot, endpoint.getConfiguration().getOperation());
        assertEquals(5_000, endpoint.getConfiguration().getTimeout());

        // qemu-img: every image carries the same one snapshot, named by the property's pattern, and is clean
        String name = null;
        for (Map.Entry<String, Path> e : IMAGES.entrySet()) {
            List<String> names = Qemu.snapshotNames(e.getValue());
            assertEquals(1, names.size(), e.getKey() + ": " + names);
            assertTrue(names.get(0).matches("boot-\\d{14}"), e.getKey() + ": " + names);
            if (name == null) {
                name = names.get(0);
            }
            assertEquals(name, names.get(0), "one group snapshot across the devices");
            Qemu.assertClean(e.getValue());
        }
    }
}
