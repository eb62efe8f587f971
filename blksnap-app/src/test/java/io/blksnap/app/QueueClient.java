package io.blksnap.app;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * A plain JMS client of the application's broker, as an operator's program would be: it logs in
 * as a user, sends a request to blksnap.requests with any JMS properties, and waits for the reply
 * on a temporary queue.
 */
final class QueueClient implements AutoCloseable {

    static final String URL = "vm://0";
    private final Connection connection;
    private final Session session;

    QueueClient(String user, String password) throws JMSException {
        this(URL, user, password);
    }

    QueueClient(String url, String user, String password) throws JMSException {
        connection = new ActiveMQConnectionFactory(url).createConnection(user, password);
        connection.start();
        session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    /** The generated password of a generated user (blksnap-admin, blksnap-app). */
    static String generatedPassword(AppTestSupport app, String user) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(credentials(app).resolve("users.properties"))) {
            p.load(r);
        }
        return p.getProperty(user);
    }

    static Path credentials(AppTestSupport app) {
        return app.state.resolve("broker-credentials");
    }

    static QueueClient admin(AppTestSupport app) throws Exception {
        return new QueueClient("blksnap-admin", generatedPassword(app, "blksnap-admin"));
    }

    String request(String body) throws JMSException {
        return request(body, Map.of());
    }

    /** Sends body with the given string properties; returns the reply's text. */
    String request(String body, Map<String, String> properties) throws JMSException {
        TemporaryQueue replies = session.createTemporaryQueue();
        try (MessageConsumer in = session.createConsumer(replies);
             MessageProducer out = session.createProducer(session.createQueue("blksnap.requests"))) {
            TextMessage m = session.createTextMessage(body);
            for (Map.Entry<String, String> e : properties.entrySet()) {
                m.setStringProperty(e.getKey(), e.getValue());
            }
            m.setJMSReplyTo(replies);
            out.send(m);
            Message reply = in.receive(30_000);
            if (reply == null) {
                throw new AssertionError("no reply within 30 s to " + body);
            }
            return reply instanceof TextMessage t ? t.getText() : new String(reply.getBody(byte[].class));
        } finally {
            replies.delete();
        }
    }

    Session session() {
        return session;
    }

    @Override
    public void close() throws JMSException {
        connection.close();
    }
}
