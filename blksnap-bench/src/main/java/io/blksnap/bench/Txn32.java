package io.blksnap.bench;

import io.blksnap.registry.DeviceRegistry;
import io.blksnap.txn.EngineOptions;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.Transaction;
import io.blksnap.txn.TransactionResult;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * group32's images, the blksnap side through the transaction engine: one iteration is one
 * transaction creating a snapshot on all 32 images, then one transaction deleting it from all
 * 32, journaled in a state directory under the scenario's data. The engine is opened once
 * (with its startup recovery) before timing, as a long-running service would hold it.
 */
final class Txn32 extends Group32 {

    private final EngineOptions options;
    private SnapshotEngine engine;
    private List<String> devices;

    Txn32(Config config) {
        super(config);
        EngineOptions defaults = EngineOptions.defaults();
        this.options = config.txnThreads() > 0 ? defaults.withParallelism(config.txnThreads()) : defaults;
    }

    @Override
    String name() {
        return "txn32";
    }

    @Override
    double target() {
        return 10.0;
    }

    @Override
    int minJitIterations() {
        return 16; // 32 transactions of 32 requests: 1024 engine operations, as group32
    }

    @Override
    String describe() {
        return "blksnap: SnapshotEngine (journal in " + dir.resolve("state") + ", parallelism " + options.parallelism()
                + (config.txnThreads() > 0 ? " via EngineOptions.withParallelism(" + config.txnThreads() + ")"
                        : " from EngineOptions.defaults(); BENCH_TXN_THREADS=2 measured no better")
                + ", opened once before timing): one transaction creating the snapshot on all " + IMAGES
                + " images, then one transaction deleting it from all " + IMAGES
                + "; qemu-img: sequential loop, 'snapshot -c' per image then 'snapshot -d' per image";
    }

    private SnapshotEngine engine() throws IOException {
        if (engine == null) {
            engine = SnapshotEngine.open(DeviceRegistry.ofPaths(dir.resolve("state"), null), options);
        }
        return engine;
    }

    /** Each image as the device an {@code ofPaths} registry makes of it. */
    private List<String> devices() {
        if (devices == null) {
            devices = blksnapImages().stream().map(DeviceRegistry::pathDeviceName).toList();
        }
        return devices;
    }

    @Override
    void probe() throws Exception {
        probeGroup(this::createAll, this::deleteAll);
    }

    @Override
    void blksnapIteration(String snap) throws Exception {
        createAll(snap);
        deleteAll(snap);
    }

    private void createAll(String snap) throws IOException {
        Instant now = Instant.now();
        Transaction t = engine().begin();
        for (String device : devices()) {
            t.add(InternalSnapshotRequest.create(device, snap, now));
        }
        requireCommitted(t.submit(), "create " + snap);
    }

    private void deleteAll(String snap) throws IOException {
        Transaction t = engine().begin();
        for (String device : devices()) {
            t.add(InternalSnapshotRequest.delete(device, snap));
        }
        requireCommitted(t.submit(), "delete " + snap);
    }

    private static void requireCommitted(TransactionResult r, String what) {
        if (!r.committed()) {
            throw new BenchException("transaction " + r.id() + " (" + what + ") " + r.status() + ": " + r.reason());
        }
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
        super.close();
    }
}
