package io.blksnap.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerComponent;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A catalog export that cannot be written (the export directory would have to be created under a
 * regular file, which fails even for root): the scheduled snapshot is undone on every image, the
 * failure is counted, and the images check clean.
 */
@CamelMainTest(mainClass = BlksnapApplication.class,
        propertyPlaceholderLocations = "file:../config/application.properties",
        properties = {
                "camel.main.routes-include-pattern=file:../routes/*.camel.yaml",
                "blksnap.group=t",
                "blksnap.demo.create-images=false",
                "blksnap.broker.url=vm://0",
                "blksnap.schedule.cron=0/2 * * * * ?",
                "blksnap.retention.keep-last=2"})
class ExportFailureTest {

    private static AppTestSupport app;
    private static Path blocker;

    @BeanInject
    CamelContext context;

    @BeforeAll
    static void setUp() throws Exception {
        app = AppTestSupport.create(null);
        blocker = Files.writeString(app.dir.resolve("not-a-directory"), "a regular file\n");
        AppTestSupport.set("blksnap.export.dir", blocker.resolve("export").toString());
    }

    @AfterAll
    static void tearDown() {
        AppTestSupport.clear();
    }

    @Test
    void aFailedExportUndoesTheSnapshot() throws Exception {
        MeterRegistry meters = context.getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry();
        AppTestSupport.await(20_000, "two failed exports", () -> failures(meters) >= 2);
        context.getRouteController().stopRoute("scheduled-backup");

        for (String device : AppTestSupport.DEVICES) {
            assertEquals(java.util.List.of(), app.snapshots(device), device + ": the snapshot was undone");
        }
        assertTrue(Files.isRegularFile(blocker), "the blocker is untouched");
        assertEquals("a regular file\n", Files.readString(blocker));
        app.assertAllClean();
    }

    private static double failures(MeterRegistry meters) {
        Counter c = meters.find("blksnap.export.failures").counter();
        return c == null ? 0 : c.count();
    }
}
