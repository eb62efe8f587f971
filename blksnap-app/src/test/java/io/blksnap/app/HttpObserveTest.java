package io.blksnap.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Health and metrics over HTTP from the running application, with config/application.properties as shipped
 * (only the port moved to a free one): /observe/health lists the engine, broker and route checks, live and ready
 * answer, /observe/metrics is Prometheus text carrying the routes' blksnap.* meters, and the server listens on
 * loopback only.
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
class HttpObserveTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static int port;
    private static String portBefore;

    @BeforeAll
    static void setUp() throws Exception {
        AppTestSupport.create(null);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        // restored rather than cleared: the build gives every application test port 0
        portBefore = System.getProperty("camel.management.port");
        System.setProperty("camel.management.port", Integer.toString(port));
    }

    @AfterAll
    static void tearDown() {
        AppTestSupport.clear();
        if (portBefore != null) {
            System.setProperty("camel.management.port", portBefore);
        } else {
            System.clearProperty("camel.management.port");
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthListsTheEngineBrokerAndRouteChecks() throws Exception {
        HttpResponse<String> response = get("/observe/health");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode health = JSON.readTree(response.body());
        assertEquals("UP", health.get("status").asText(), response.body());
        Map<String, String> checks = new HashMap<>();
        for (JsonNode c : health.get("checks")) {
            checks.put(c.get("name").asText(), c.get("status").asText());
        }
        assertEquals("UP", checks.get("blksnap-engine"), response.body());
        assertEquals("UP", checks.get("blksnap-broker"), response.body());
        assertEquals("UP", checks.get("route:scheduled-backup"), response.body());

        for (String probe : new String[] {"/observe/health/live", "/observe/health/ready"}) {
            HttpResponse<String> r = get(probe);
            assertEquals(200, r.statusCode(), probe + ": " + r.body());
            assertEquals("UP", JSON.readTree(r.body()).get("status").asText(), probe + ": " + r.body());
        }
    }

    @Test
    void metricsArePrometheusTextWithTheBlksnapMeters() throws Exception {
        // the counter appears once the scheduled backup has committed a group snapshot
        Pattern committed = Pattern.compile("(?m)^blksnap_transactions_committed_total(\\{[^}]*\\})? ([0-9.Ee+]+)$");
        String[] body = new String[1];
        AppTestSupport.await(30_000, "blksnap_transactions_committed_total in /observe/metrics", () -> {
            try {
                HttpResponse<String> r = get("/observe/metrics");
                assertEquals(200, r.statusCode(), r.body());
                body[0] = r.body();
                return committed.matcher(body[0]).find();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        Matcher m = committed.matcher(body[0]);
        assertTrue(m.find());
        assertTrue(Double.parseDouble(m.group(2)) >= 1, m.group());
        assertTrue(body[0].contains("# TYPE blksnap_transactions_committed_total counter"), "Prometheus TYPE line");
        assertTrue(body[0].contains("camel_exchanges_total{"), "Camel's own route metrics are there too");
        HttpResponse<String> r = get("/observe/metrics");
        String type = r.headers().firstValue("Content-Type").orElse("");
        assertTrue(type.startsWith("text/plain"), type);
    }

    @Test
    void listensOnLoopbackOnly() throws Exception {
        InetAddress other = null;
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        other = a;
                    }
                }
            }
        }
        assertNotNull(get("/observe/health").body());
        if (other == null) {
            System.err.println("SKIPPED part: no non-loopback IPv4 address to try");
            return;
        }
        InetAddress address = other;
        assertThrows(IOException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 5_000);
            }
        }, "the management port must not answer on " + address);
    }
}
