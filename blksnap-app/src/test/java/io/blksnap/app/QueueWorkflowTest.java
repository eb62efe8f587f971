package io.blksnap.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.EndpointInject;
import org.apache.camel.Exchange;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Queue-triggered requests over the embedded broker (in-VM, so a running application's tcp port
 * is never touched), request-reply on blksnap.requests: a valid snapshot commits on every image;
 * each bad request gets an error reply with its reason, lands in blksnap.requests.DLQ as sent, with the
 * blksnapReason header, and leaves every image byte-for-byte unchanged. The schedule is set to
 * 2099 so only the queue touches the images.
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
class QueueWorkflowTest {

    private static final String DLQ = "jms:queue:blksnap.requests.DLQ";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static AppTestSupport app;

    @BeanInject
    CamelContext context;

    @EndpointInject
    ConsumerTemplate consumer;

    @BeforeAll
    static void setUp() throws Exception {
        app = AppTestSupport.create(null);
    }

    @AfterAll
    static void tearDown() {
        AppTestSupport.clear();
    }

    @Test
    void aValidSnapshotRequestCommitsOnEveryImage() throws Exception {
        JsonNode reply = request("{\"group\":\"t\",\"operation\":\"snapshot\",\"type\":\"internal\",\"name\":\"q-ok-1\"}");
        assertTrue(reply.toString().contains("COMMITTED"), "reply: " + reply);
        assertTrue(!reply.has("error"), "reply: " + reply);
        for (String device : AppTestSupport.DEVICES) {
            assertTrue(app.snapshots(device).contains("q-ok-1"), device + " has the snapshot");
        }
        app.assertAllClean();
    }

    @Test
    void anUnknownGroupIsRejected() throws Exception {
        rejected("{\"group\":\"nope\",\"operation\":\"snapshot\",\"name\":\"x1\"}", "unknown group");
    }

    @Test
    void anIllegalNameIsRejected() throws Exception {
        rejected("{\"group\":\"t\",\"operation\":\"snapshot\",\"name\":\"bad name;rm -rf\"}", "illegal snapshot name");
    }

    @Test
    void aPathTraversalNameIsRejected() throws Exception {
        rejected("{\"group\":\"t\",\"operation\":\"snapshot\",\"type\":\"external\",\"name\":\"../../etc/passwd\"}",
                "illegal snapshot name");
    }

    @Test
    void anExtraPathFieldIsRejected() throws Exception {
        rejected("{\"group\":\"t\",\"operation\":\"snapshot\",\"name\":\"ok-name\",\"path\":\"/etc/passwd\"}",
                "path");
    }

    @Test
    void malformedJsonIsRejected() throws Exception {
        rejected("{\"group\":\"t\",\"operation\":", "malformed JSON");
    }

    @Test
    void anOversizedMessageIsRejected() throws Exception {
        String big = "{\"group\":\"t\",\"operation\":\"snapshot\",\"name\":\"" + "a".repeat(17 * 1024) + "\"}";
        rejected(big, "larger than 16384 bytes");
    }

    private void rejected(String body, String reasonPart) throws Exception {
        Map<String, String> before = app.hashes();
        List<List<String>> snapshotsBefore = snapshots();
        JsonNode reply = request(body);
        assertEquals("bad request", reply.path("error").asText(), "reply: " + reply);
        String reason = reply.path("reason").asText();
        assertTrue(reason.contains(reasonPart), "reason \"" + reason + "\" mentions " + reasonPart);

        Exchange dead = consumer.receive(DLQ, 10_000);
        assertNotNull(dead, "the request reached the DLQ");
        assertEquals(reason, dead.getMessage().getHeader("blksnapReason", String.class));
        assertEquals(body, dead.getMessage().getBody(String.class), "the DLQ keeps the message as it was sent");

        assertEquals(before, app.hashes(), "every image byte-for-byte unchanged");
        assertEquals(snapshotsBefore, snapshots());
        app.assertAllClean();
    }

    /** Sent as the generated admin: the broker refuses anonymous clients. */
    private JsonNode request(String body) throws Exception {
        try (QueueClient client = QueueClient.admin(app)) {
            return JSON.readTree(client.request(body));
        }
    }

    private List<List<String>> snapshots() throws Exception {
        List<List<String>> all = new java.util.ArrayList<>();
        for (String d : AppTestSupport.DEVICES) {
            all.add(app.snapshots(d));
        }
        return all;
    }

    @Test
    void healthChecksSeeTheEngineAndTheBroker() {
        org.apache.camel.health.HealthCheckRegistry registry = org.apache.camel.health.HealthCheckRegistry.get(context);
        for (String id : List.of("blksnap-engine", "blksnap-broker")) {
            HealthCheck check = registry.getCheck(id).orElseThrow(() -> new AssertionError(id + " is not registered"));
            HealthCheck.Result r = check.call();
            assertEquals(HealthCheck.State.UP, r.getState(), id + ": " + r.getMessage().orElse(""));
        }
    }
}
