package io.blksnap.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.blksnap.testing.Qemu;
import jakarta.jms.JMSException;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.ServerSocket;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The embedded broker's acceptor with TLS (blksnap.broker.tls.*) on a free TCP port, with a
 * keystore keytool makes: the application's own connection works (the broker health check is
 * up), an admin client over TLS gets its reply, and a client without TLS cannot connect.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(mainClass = BlksnapApplication.class,
        propertyPlaceholderLocations = "file:../config/application.properties",
        properties = {
                "camel.main.routes-include-pattern=file:../routes/*.camel.yaml",
                "blksnap.group=t",
                "blksnap.demo.create-images=false",
                "blksnap.schedule.cron=0 0 0 1 1 ? 2099",
                "blksnap.broker.tls.enabled=true",
                "blksnap.broker.tls.keystore-password=test-store-pw"})
class BrokerTlsTest {

    private static AppTestSupport app;
    private static int port;
    private static Path keystore;

    @BeanInject
    CamelContext context;

    @BeforeAll
    static void setUp() throws Exception {
        app = AppTestSupport.create(null);
        keystore = app.dir.resolve("broker.p12");
        Qemu.run("keytool", "-genkeypair", "-keyalg", "RSA", "-keysize", "2048", "-alias", "broker", "-dname",
                "CN=localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "test-store-pw").ok();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        AppTestSupport.set("blksnap.broker.url", "tcp://localhost:" + port);
        AppTestSupport.set("blksnap.broker.tls.keystore-path", keystore.toString());
    }

    @AfterAll
    static void tearDown() {
        AppTestSupport.clear();
    }

    @Test
    void theApplicationAndAnAdminConnectOverTls() throws Exception {
        HealthCheck.Result r = HealthCheckRegistry.get(context).getCheck("blksnap-broker").orElseThrow().call();
        assertEquals(HealthCheck.State.UP, r.getState(), r.getMessage().orElse(""));

        String url = "tcp://localhost:" + port + "?sslEnabled=true&trustStorePath=" + keystore
                + "&trustStorePassword=test-store-pw";
        try (QueueClient admin = new QueueClient(url, "blksnap-admin",
                QueueClient.generatedPassword(app, "blksnap-admin"))) {
            String reply = admin.request("{\"group\":\"t\",\"operation\":\"list\"}");
            assertFalse(new ObjectMapper().readTree(reply).has("error"), reply);
        }
    }

    @Test
    void aClientWithoutTlsCannotConnect() {
        String url = "tcp://localhost:" + port + "?callTimeout=3000&initialConnectAttempts=1";
        assertThrows(JMSException.class, () -> new ActiveMQConnectionFactory(url).createConnection("blksnap-admin",
                QueueClient.generatedPassword(app, "blksnap-admin")).close());
    }
}
