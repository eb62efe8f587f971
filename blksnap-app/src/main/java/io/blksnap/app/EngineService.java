package io.blksnap.app;

import io.blksnap.txn.SnapshotEngine;
import org.apache.camel.support.service.ServiceSupport;

/** Closes the application's snapshot engine when Camel stops, after the routes that use it. */
final class EngineService extends ServiceSupport {

    private final SnapshotEngine engine;

    EngineService(SnapshotEngine engine) {
        this.engine = engine;
    }

    @Override
    protected void doStop() {
        engine.close();
    }
}
