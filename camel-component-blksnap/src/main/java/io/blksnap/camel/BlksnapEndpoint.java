package io.blksnap.camel;

import java.io.IOException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

import io.blksnap.retention.Durations;
import io.blksnap.retention.RetentionPolicy;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.SnapshotNamer;
import io.blksnap.txn.TransactionEvent;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.MultipleConsumersSupport;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * Take, list, apply, undo and prune consistent snapshots of a group of qcow2 disks, each change one journaled
 * transaction, and receive the engine's transaction events.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "blksnap", title = "blksnap", syntax = "blksnap:group",
             category = { Category.FILE, Category.MANAGEMENT }, headersClass = BlksnapConstants.class)
public class BlksnapEndpoint extends DefaultEndpoint implements MultipleConsumersSupport {

    @UriPath(description = "The group of devices (from the engine's devices.yaml) the endpoint works on")
    @Metadata(required = true)
    private String group;
    @UriParam
    private BlksnapConfiguration configuration;

    public BlksnapEndpoint(String uri, BlksnapComponent component, BlksnapConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public Producer createProducer() throws Exception {
        return new BlksnapProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        BlksnapConsumer consumer = new BlksnapConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    /** Every consumer of an endpoint receives every event: they are independent listeners. */
    @Override
    public boolean isMultipleConsumersSupported() {
        return true;
    }

    @Override
    public BlksnapComponent getComponent() {
        return (BlksnapComponent) super.getComponent();
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        // options that cannot work fail the route at start rather than its first exchange
        zone();
        // an empty policy is judged when prune runs: a route may hold a prune it never sends to
        retentionPolicy();
        eventKinds();
        if (configuration.getTimeout() < 0) {
            throw new IllegalArgumentException("timeout must not be negative");
        }
        try {
            new SnapshotNamer(configuration.getNamePattern(), zone());
        } catch (IOException e) {
            throw new IllegalArgumentException("namePattern \"" + configuration.getNamePattern() + "\": "
                                               + e.getMessage(), e);
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // an unknown group fails the route at start
        engine().registry().group(group);
    }

    SnapshotEngine engine() throws IOException {
        return getComponent().engine();
    }

    Clock clock() {
        return configuration.getClock() != null ? configuration.getClock() : Clock.systemUTC();
    }

    ZoneId zone() {
        try {
            return ZoneId.of(configuration.getTimeZone());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("timeZone \"" + configuration.getTimeZone() + "\": " + e.getMessage(), e);
        }
    }

    /** keepWithin as a duration, null when off. */
    Duration keepWithin() {
        String s = configuration.getKeepWithin();
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Durations.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("keepWithin \"" + s + "\": " + e.getMessage(), e);
        }
    }

    /** prune's policy from the keep* options; a negative count or keepWithin is refused. */
    RetentionPolicy retentionPolicy() {
        BlksnapConfiguration c = configuration;
        return new RetentionPolicy(c.getKeepLast(), c.getKeepHourly(), c.getKeepDaily(), c.getKeepWeekly(),
                c.getKeepMonthly(), c.getKeepYearly(), keepWithin());
    }

    Set<TransactionEvent.Kind> eventKinds() {
        Set<TransactionEvent.Kind> kinds = EnumSet.noneOf(TransactionEvent.Kind.class);
        String events = configuration.getEvents();
        if (events == null || events.isBlank()) {
            throw new IllegalArgumentException("events must name at least one of started, step, committed, aborted,"
                                               + " recovered");
        }
        for (String e : events.split(",")) {
            try {
                kinds.add(TransactionEvent.Kind.valueOf(e.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("events: unknown event \"" + e.trim() + "\" (expected started, step,"
                                                   + " committed, aborted, recovered)", ex);
            }
        }
        return kinds;
    }

    public String getGroup() {
        return group;
    }

    /**
     * The group of devices (from the engine's devices.yaml) the endpoint works on.
     */
    public void setGroup(String group) {
        this.group = group;
    }

    public BlksnapConfiguration getConfiguration() {
        return configuration;
    }

    /**
     * The endpoint's options.
     */
    public void setConfiguration(BlksnapConfiguration configuration) {
        this.configuration = configuration;
    }
}
