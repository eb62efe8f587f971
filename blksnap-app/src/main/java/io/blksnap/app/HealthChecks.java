package io.blksnap.app;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.service.ServiceSupport;

import java.util.List;

/**
 * Registers the application's health checks with Camel's health registry once the context has
 * one (camel.health.enabled); checks merely bound as beans are not picked up.
 */
final class HealthChecks extends ServiceSupport {

    private final CamelContext context;
    private final List<HealthCheck> checks;

    HealthChecks(CamelContext context, HealthCheck... checks) {
        this.context = context;
        this.checks = List.of(checks);
    }

    @Override
    protected void doStart() {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            return; // health checks are turned off
        }
        for (HealthCheck c : checks) {
            if (c instanceof org.apache.camel.CamelContextAware aware) {
                aware.setCamelContext(context);
            }
            registry.register(c);
        }
    }
}
