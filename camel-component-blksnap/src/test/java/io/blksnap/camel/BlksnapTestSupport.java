package io.blksnap.camel;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.blksnap.testing.GroupFixture;
import io.blksnap.txn.EngineOptions;
import io.blksnap.txn.SnapshotEngine;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Camel context over a {@link #fixture(Path, int) fixture} (group g of two devices, group other of one) and a real
 * engine bean, autowired into the component, whose fault seam tests can arm.
 */
abstract class BlksnapTestSupport extends CamelTestSupport {

    @TempDir
    Path dir;
    GroupFixture fixture;
    SnapshotEngine engine;
    final Faults faults = new Faults();

    int devices() {
        return 2;
    }

    /** The engine's options; the fault seam is always wired in. */
    EngineOptions engineOptions() {
        return EngineOptions.defaults();
    }

    @Override
    public void setupResources() throws Exception {
        fixture = fixture(dir, devices());
        engine = SnapshotEngine.open(fixture.registry(), engineOptions().withFaults(faults));
    }

    /** Group {@code g} of devices disk0..disk(n-1) and group {@code other} of one more device, {@code spare}. */
    static GroupFixture fixture(Path dir, int n) throws Exception {
        return GroupFixture.in(dir).disks(n).group("other", "spare").size("8M").written("256k").create();
    }

    @Override
    public void cleanupResources() throws Exception {
        if (engine != null) {
            engine.close();
        }
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        registry.bind("engine", engine);
    }

    /** Sends to {@code uri} and returns the exchange (its exception, if any, is not thrown). */
    Exchange send(String uri, Object... headerPairs) {
        Map<String, Object> headers = new HashMap<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.put((String) headerPairs[i], headerPairs[i + 1]);
        }
        return template.send(uri, e -> e.getMessage().getHeaders().putAll(headers));
    }

    /** Sends to {@code uri}, fails on an exception, and returns the exchange. */
    Exchange call(String uri, Object... headerPairs) {
        Exchange e = send(uri, headerPairs);
        if (e.getException() != null) {
            throw new AssertionError("exchange to " + uri + " failed", e.getException());
        }
        return e;
    }
}
