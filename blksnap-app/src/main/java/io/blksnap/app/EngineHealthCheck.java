package io.blksnap.app;

import io.blksnap.txn.RecoveryReport;
import io.blksnap.txn.SnapshotEngine;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Down while a crashed transaction still awaits recovery (its devices refuse new work) or while
 * the engine cannot write its state directory (no journal, no transactions).
 */
final class EngineHealthCheck extends AbstractHealthCheck {

    private final SnapshotEngine engine;

    EngineHealthCheck(SnapshotEngine engine) {
        super("blksnap", "blksnap-engine");
        this.engine = engine;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        RecoveryReport startup = engine.startupRecovery();
        Path state = engine.registry().stateDir();
        builder.detail("stateDir", state.toString());
        builder.detail("recoveredAtStart", startup.resolved().size());
        if (!startup.pending().isEmpty()) {
            builder.message("transactions await recovery: " + startup.pending());
            builder.down();
        } else if (!Files.isDirectory(state) || !Files.isWritable(state)) {
            builder.message("state directory " + state + " is not a writable directory");
            builder.down();
        } else {
            builder.up();
        }
    }
}
