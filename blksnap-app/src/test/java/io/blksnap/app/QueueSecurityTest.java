package io.blksnap.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blksnap.testing.Qemu;
import jakarta.jms.Destination;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.TextMessage;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.EndpointInject;
import org.apache.camel.Exchange;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The queue against a hostile sender, over the real routes and the embedded broker (in-VM):
 * JMS properties that spell the component's headers in another letter case change nothing the
 * body did not ask for; duplicate keys and fractional counts are refused; keepWithin is used; the
 * broker refuses anonymous and wrong logins, and each operation needs its role, checked for the
 * user the broker authenticated, not one the client claims. A refused message reaches the DLQ as
 * it was sent, and every image stays byte-for-byte the same (SHA-256, qemu-img snapshot -l, check).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(mainClass = BlksnapApplication.class,
        propertyPlaceholderLocations = "file:../config/application.properties",
        properties = {
                "camel.main.routes-include-pattern=file:../routes/*.camel.yaml",
                "blksnap.group=t",
                "blksnap.demo.create-images=false",
                "blksnap.broker.url=vm://0",
                "blksnap.schedule.cron=0 0 0 1 1 ? 2099",
                "blksnap.retention.keep-last=0"})
class QueueSecurityTest {

    private static final String DLQ = "jms:queue:blksnap.requests.DLQ";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static AppTestSupport app;

    @EndpointInject
    ConsumerTemplate consumer;

    @BeforeAll
    static void setUp() throws Exception {
        app = AppTestSupport.create(null);
        // the operator's own users, beside devices.yaml: a reader and a backup job
        Files.writeString(app.dir.resolve("broker-users.properties"), "reader=r-pass\nbackup=b-pass\n");
        Files.writeString(app.dir.resolve("broker-roles.properties"),
                "blksnap-reader=reader\nblksnap-backup=backup\n");
    }

    @AfterAll
    static void tearDown() {
        AppTestSupport.clear();
    }

    // ---- 8: header injection ----

    @Test
    void aTypeHeaderInAnotherCaseDoesNotMakeTheSnapshotExternal() throws Exception {
        JsonNode reply = send("backup", "b-pass", "{\"group\":\"t\",\"operation\":\"snapshot\",\"name\":\"inj-type\"}",
                Map.of("cAMELbLKSNAPtYPE", "external"));
        assertFalse(reply.has("error"), "reply: " + reply);
        for (String d : AppTestSupport.DEVICES) {
            assertTrue(app.snapshots(d).contains("inj-type"), d + " has the internal snapshot");
        }
        assertTrue(AppTestSupport.list(app.dir.resolve("overlays"), "*").isEmpty(), "no overlay was created");
        for (String d : AppTestSupport.DEVICES) {
            String info = Qemu.img("info", "-U", app.images.get(d).toString()).ok().out();
            assertFalse(info.contains("backing file"), d + " was not pivoted to an overlay:\n" + info);
        }
        app.assertAllClean();
    }

    @Test
    void aSnapshotTimeHeaderInAnotherCaseDoesNotBackdateTheSnapshot() throws Exception {
        JsonNode reply = send("backup", "b-pass", "{\"group\":\"t\",\"operation\":\"snapshot\",\"name\":\"inj-time\"}",
                Map.of("cAMELbLKSNAPsNAPSHOTtIME", "2001-01-01T00:00:00Z"));
        assertFalse(reply.has("error"), "reply: " + reply);
        for (Path image : app.images.values()) {
            String table = Qemu.img("snapshot", "-l", "-U", image.toString()).ok().out();
            assertTrue(table.contains("inj-time"), table);
            assertFalse(table.contains("2001-01-01"), "no snapshot dated 2001:\n" + table);
        }
        app.assertAllClean();
    }

    @Test
    void aNameHeaderInAnotherCaseDoesNotNameTheSnapshot() throws Exception {
        List<List<String>> before = snapshots();
        JsonNode reply = send("backup", "b-pass", "{\"group\":\"t\",\"operation\":\"snapshot\"}",
                Map.of("cAMELbLKSNAPsNAPSHOTnAME", "-rf x"));
        assertFalse(reply.has("error"), "reply: " + reply);
        List<List<String>> after = snapshots();
        for (int i = 0; i < after.size(); i++) {
            List<String> added = new ArrayList<>(after.get(i));
            added.removeAll(before.get(i));
            assertEquals(1, added.size(), "one new snapshot: " + added);
            assertFalse(added.get(0).startsWith("-rf"), "named by the pattern, not the header: " + added);
        }
        app.assertAllClean();
    }

    // ---- 9: keepWithin ----

    @Test
    void aPruneWithOnlyKeepWithinRuns() throws Exception {
        send("backup", "b-pass", "{\"group\":\"t\",\"operation\":\"snapshot\",\"name\":\"kw-1\"}", Map.of());
        List<List<String>> before = snapshots();
        JsonNode reply = send("backup", "b-pass",
                "{\"group\":\"t\",\"operation\":\"prune\",\"keepLast\":0,\"keepDaily\":0,\"keepWithin\":\"3650d\"}",
                Map.of());
        assertFalse(reply.has("error"), "reply: " + reply);
        assertEquals("PT87600H", reply.findValue("keepWithin").asText(), "reply: " + reply);
        assertEquals(before, snapshots(), "everything is within 3650 days");
        app.assertAllClean();
    }

    // ---- 10 and 11: strict JSON; the DLQ keeps the original body ----

    @Test
    void aDuplicateKeyIsRefused() throws Exception {
        twoSnapshots("dup");
        rejected("admin", "{\"group\":\"t\",\"operation\":\"list\",\"operation\":\"prune\",\"keepLast\":1}",
                "bad request", "Duplicate field 'operation'");
    }

    @Test
    void aFractionalCountIsRefused() throws Exception {
        twoSnapshots("frac");
        rejected("admin", "{\"group\":\"t\",\"operation\":\"prune\",\"keepLast\":1.7}", "bad request",
                "keepLast must be a whole number");
    }

    // ---- 12: authentication and roles ----

    @Test
    void theCredentialsAreGeneratedOwnerOnly() throws Exception {
        Path dir = QueueClient.credentials(app);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        for (String f : List.of("users.properties", "roles.properties")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f))), f);
        }
        assertTrue(QueueClient.generatedPassword(app, "blksnap-admin").length() >= 24);
    }

    @Test
    void aClientWithoutCredentialsIsRefused() throws Exception {
        Map<String, String> before = app.hashes();
        assertThrows(JMSSecurityException.class,
                () -> new ActiveMQConnectionFactory(QueueClient.URL).createConnection().close());
        assertEquals(before, app.hashes());
    }

    @Test
    void aClientWithAWrongPasswordIsRefused() throws Exception {
        Map<String, String> before = app.hashes();
        assertThrows(JMSSecurityException.class, () -> new QueueClient("blksnap-admin", "guess").close());
        assertThrows(JMSSecurityException.class, () -> new QueueClient("reader", "b-pass").close());
        assertEquals(before, app.hashes());
    }

    @Test
    void aReaderMayListButNotSnapshot() throws Exception {
        JsonNode list = send("reader", "r-pass", "{\"group\":\"t\",\"operation\":\"list\"}", Map.of());
        assertFalse(list.has("error"), "reply: " + list);
        rejected("reader", "{\"group\":\"t\",\"operation\":\"snapshot\",\"name\":\"by-reader\"}", "forbidden",
                "user reader may not snapshot");
    }

    @Test
    void aBackupUserMayNotApplyOrDelete() throws Exception {
        twoSnapshots("bk");
        rejected("backup", "{\"group\":\"t\",\"operation\":\"apply\",\"name\":\"bk-1\"}", "forbidden",
                "user backup may not apply");
        rejected("backup", "{\"group\":\"t\",\"operation\":\"delete\",\"name\":\"bk-1\"}", "forbidden",
                "user backup may not delete");
    }

    @Test
    void aClaimedValidatedUserIsNotTrusted() throws Exception {
        twoSnapshots("claim");
        rejected("reader", "{\"group\":\"t\",\"operation\":\"delete\",\"name\":\"claim-1\"}", "forbidden",
                "user reader may not delete", Map.of("_AMQ_VALIDATED_USER", "blksnap-admin"));
        rejected("reader", "{\"group\":\"t\",\"operation\":\"delete\",\"name\":\"claim-1\"}", "forbidden",
                "user reader may not delete", Map.of("_amq_validated_user", "blksnap-admin", "blksnapUser",
                        "blksnap-admin"));
    }

    @Test
    void clientsMaySubscribeToEventsButNotPublishThemOrReadTheQueues() throws Exception {
        try (QueueClient reader = new QueueClient("reader", "r-pass")) {
            Session s = reader.session();
            s.createConsumer(s.createTopic("blksnap.events")).close();
            assertThrows(JMSSecurityException.class, () -> {
                try (var p = s.createProducer(s.createTopic("blksnap.events"))) {
                    p.send(s.createTextMessage("{\"kind\":\"COMMITTED\"}"));
                }
            });
            assertThrows(JMSSecurityException.class,
                    () -> s.createConsumer(s.createQueue("blksnap.requests.DLQ")).close());
            assertThrows(JMSSecurityException.class,
                    () -> s.createConsumer(s.createQueue("blksnap.requests")).close());
            // nor by the fully qualified queue name
            assertThrows(JMSSecurityException.class,
                    () -> s.createConsumer(s.createQueue("blksnap.requests::blksnap.requests")).close());
            assertThrows(JMSSecurityException.class, () -> s.createBrowser(s.createQueue(
                    "blksnap.requests.DLQ::blksnap.requests.DLQ")).getEnumeration().hasMoreElements());
        }
    }

    @Test
    void aReplyToThatIsNotATemporaryQueueIsRefusedAndNothingIsSentThere() throws Exception {
        List<List<String>> before = snapshots();
        try (QueueClient admin = QueueClient.admin(app)) {
            Session s = admin.session();
            for (Destination target : List.of(s.createTopic("blksnap.events"), s.createQueue("blksnap.requests"))) {
                String body = "{\"group\":\"t\",\"operation\":\"snapshot\",\"name\":\"reply-to-1\"}";
                try (MessageConsumer events = s.createConsumer(s.createTopic("blksnap.events"));
                     MessageProducer out = s.createProducer(s.createQueue("blksnap.requests"))) {
                    TextMessage m = s.createTextMessage(body);
                    m.setJMSReplyTo(target);
                    out.send(m);
                    Exchange dead = consumer.receive(DLQ, 10_000);
                    assertNotNull(dead, "the request reached the DLQ");
                    String reason = dead.getMessage().getHeader("blksnapReason", String.class);
                    assertTrue(reason.contains("is not a temporary queue"), "reason: " + reason);
                    assertEquals(body, dead.getMessage().getBody(String.class));
                    assertNull(events.receive(1_500), "nothing was published on the events topic");
                    // a reply sent into blksnap.requests would come back as a request and be refused too
                    assertNull(consumer.receive(DLQ, 500), "one DLQ entry: no reply looped into the request queue");
                }
            }
        }
        assertEquals(before, snapshots(), "no snapshot was taken");
    }

    @Test
    void anAdminCanApply() throws Exception {
        send("admin", null, "{\"group\":\"t\",\"operation\":\"snapshot\",\"name\":\"ap-1\"}", Map.of());
        for (Path image : app.images.values()) {
            Qemu.io(image, "write -P 0xa5 0 64k");
        }
        JsonNode reply = send("admin", null, "{\"group\":\"t\",\"operation\":\"apply\",\"name\":\"ap-1\"}", Map.of());
        assertTrue(reply.toString().contains("COMMITTED"), "reply: " + reply);
        for (Path image : app.images.values()) {
            Qemu.io(image, "read -P 0x5a 0 64k");
        }
        app.assertAllClean();
    }

    // ---- helpers ----

    /** Sends as a user ("admin": the generated blksnap-admin) and parses the reply. */
    private JsonNode send(String user, String password, String body, Map<String, String> properties)
            throws Exception {
        try (QueueClient c = user.equals("admin") ? QueueClient.admin(app) : new QueueClient(user, password)) {
            return JSON.readTree(c.request(body, properties));
        }
    }

    private void twoSnapshots(String prefix) throws Exception {
        for (int i = 1; i <= 2; i++) {
            JsonNode r = send("admin", null,
                    "{\"group\":\"t\",\"operation\":\"snapshot\",\"name\":\"" + prefix + "-" + i + "\"}", Map.of());
            assertFalse(r.has("error"), "reply: " + r);
        }
    }

    private void rejected(String user, String body, String error, String reasonPart) throws Exception {
        rejected(user, body, error, reasonPart, Map.of());
    }

    private void rejected(String user, String body, String error, String reasonPart, Map<String, String> properties)
            throws Exception {
        Map<String, String> hashes = app.hashes();
        List<List<String>> before = snapshots();
        String password = user.equals("reader") ? "r-pass" : user.equals("backup") ? "b-pass" : null;
        JsonNode reply = send(user, password, body, properties);
        assertEquals(error, reply.path("error").asText(), "reply: " + reply);
        String reason = reply.path("reason").asText();
        assertTrue(reason.contains(reasonPart), "reason \"" + reason + "\" mentions " + reasonPart);

        Exchange dead = consumer.receive(DLQ, 10_000);
        assertNotNull(dead, "the request reached the DLQ");
        assertEquals(reason, dead.getMessage().getHeader("blksnapReason", String.class));
        assertEquals(body, dead.getMessage().getBody(String.class), "the DLQ keeps the message as it was sent");
        assertEquals(user.equals("admin") ? "blksnap-admin" : user, dead.getMessage().getHeader("blksnapUser"),
                "the DLQ names the user the broker authenticated");
        assertNull(consumer.receive(DLQ, 200), "one DLQ entry per refused message");

        assertEquals(hashes, app.hashes(), "every image byte-for-byte unchanged");
        assertEquals(before, snapshots());
        app.assertAllClean();
    }

    private List<List<String>> snapshots() throws Exception {
        List<List<String>> all = new ArrayList<>();
        for (String d : AppTestSupport.DEVICES) {
            all.add(app.snapshots(d));
        }
        return all;
    }
}
