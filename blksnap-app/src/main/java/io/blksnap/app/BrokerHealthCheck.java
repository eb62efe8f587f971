package io.blksnap.app;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/** Up when a connection to the message broker (embedded or external) can be opened. */
final class BrokerHealthCheck extends AbstractHealthCheck {

    private final ConnectionFactory factory;

    BrokerHealthCheck(ConnectionFactory factory) {
        super("blksnap", "blksnap-broker");
        this.factory = factory;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection c = factory.createConnection()) {
            builder.up();
        } catch (JMSException e) {
            builder.error(e);
            builder.message("cannot connect to the broker: " + e.getMessage());
            builder.down();
        }
    }
}
