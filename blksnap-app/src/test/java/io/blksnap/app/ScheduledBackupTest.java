package io.blksnap.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduled backup end to end, on the real routes: a group snapshot every 2 s, its catalog
 * exported, the group pruned to keepLast=2; checked with qemu-img and by parsing the exports.
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
class ScheduledBackupTest {

    private static AppTestSupport app;

    @BeanInject
    CamelContext context;

    @BeforeAll
    static void setUp() throws Exception {
        app = AppTestSupport.create(null);
    }

    @AfterAll
    static void tearDown() {
        AppTestSupport.clear();
    }

    @Test
    void snapshotsExportsAndPrunesTheGroup() throws Exception {
        AppTestSupport.await(20_000, "three exported catalogs",
                () -> AppTestSupport.list(app.export, "t-*.json").size() >= 3);
        // stop the schedule (waits for a run in flight) so qemu-img reads settled images
        context.getRouteController().stopRoute("scheduled-backup");

        List<Path> exports = AppTestSupport.list(app.export, "t-*.json");
        assertTrue(AppTestSupport.list(app.export, ".writing-*").isEmpty(), "no half-written export left");
        ObjectMapper json = new ObjectMapper();
        List<String> exported = new ArrayList<>();
        JsonNode last = null;
        for (Path p : exports) {
            String name = p.getFileName().toString().replaceFirst("^t-", "").replaceFirst("\\.json$", "");
            exported.add(name);
            JsonNode catalog = json.readTree(p.toFile());
            assertEquals(1, catalog.get("formatVersion").asInt());
            assertEquals("t", catalog.get("group").asText());
            assertEquals(AppTestSupport.DEVICES.size(), catalog.get("devices").size());
            for (JsonNode d : catalog.get("devices")) {
                List<String> names = names(d);
                assertTrue(names.contains(name), p + ": " + d.get("name") + " lacks its snapshot " + name);
                assertEquals(names(catalog.get("devices").get(0)), names, "all devices carry the same snapshots");
                String tx = txOf(d, name);
                assertTrue(tx != null && tx.startsWith("tx-"), "snapshot made by a blksnap transaction");
                assertEquals(txOf(catalog.get("devices").get(0), name), tx, "one transaction for the group");
            }
            last = catalog;
        }

        // the images: all-or-nothing, exactly keepLast group snapshots left, the newest two exported
        List<String> expected = exported.subList(exported.size() - 2, exported.size());
        for (JsonNode d : last.get("devices")) {
            String device = d.get("name").asText();
            assertEquals(app.images.get(device).toString(), d.get("activeImage").asText());
            List<String> onImage = app.snapshots(device);
            assertEquals(expected, onImage, device + " keeps exactly the last 2 snapshots");
            assertTrue(names(d).containsAll(onImage), "the last catalog lists what the image holds");
        }
        app.assertAllClean();
    }

    private static List<String> names(JsonNode device) {
        List<String> names = new ArrayList<>();
        device.get("snapshots").forEach(s -> names.add(s.get("name").asText()));
        return names;
    }

    private static String txOf(JsonNode device, String snapshot) {
        for (JsonNode s : device.get("snapshots")) {
            if (s.get("name").asText().equals(snapshot)) {
                return s.get("transactionId").isNull() ? null : s.get("transactionId").asText();
            }
        }
        return null;
    }
}
