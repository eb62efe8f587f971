package io.blksnap.txn;

import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The transaction engine over a set of devices: begin transactions, recover after a crash
 * (which {@link #open} does first), and listen to what happens.
 */
public final class SnapshotEngine implements AutoCloseable {

    private final DeviceRegistry registry;
    private final Journal journal;
    private final Events events = new Events();
    private final ExecutorService pool;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> unresolved = new ConcurrentHashMap<>();
    private final TransactionRunner runner;
    private final RequestValidator validator;
    private final Recovery recovery;
    private final RecoveryReport startup;
    private final Undo undo;

    private SnapshotEngine(DeviceRegistry registry, EngineOptions options) throws IOException {
        this.registry = registry;
        this.journal = new Journal(registry.stateDir());
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, options.parallelism()), r -> {
            Thread t = new Thread(r, "blksnap-prepare-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.runner = new TransactionRunner(registry, journal, new DeviceLocks(), events, pool,
                options.lockTimeout(), running, unresolved, options.faults());
        this.validator = new RequestValidator(registry);
        this.recovery = new Recovery(registry, journal, events, options.faults());
        this.undo = new Undo(registry, journal);
        this.startup = recovery.run(running);
    }

    /** Opens the engine and resolves whatever a crashed predecessor left in the journal. */
    public static SnapshotEngine open(DeviceRegistry registry, EngineOptions options) throws IOException {
        return new SnapshotEngine(registry, options);
    }

    /**
     * Opens the engine on a devices.yaml with default options; the file's path, if relative, and every relative
     * path inside it resolve against the working directory, as for the {@code blksnap} command.
     */
    public static SnapshotEngine open(Path devicesYaml) throws IOException {
        return open(devicesYaml, Path.of(""));
    }

    /**
     * Opens the engine on a devices.yaml with default options; the file's path, if relative, and every relative
     * path inside it resolve against {@code baseDir} (itself resolved against the working directory).
     */
    public static SnapshotEngine open(Path devicesYaml, Path baseDir) throws IOException {
        Path base = baseDir.toAbsolutePath();
        return open(DeviceRegistry.load(base.resolve(devicesYaml), base), EngineOptions.defaults());
    }

    public Transaction begin() {
        return new Transaction(runner, validator);
    }

    /** What the recovery at {@link #open} did. */
    public RecoveryReport startupRecovery() {
        return startup;
    }

    /**
     * Resolves unfinished transactions of dead processes now (the {@code blksnap recover} command),
     * and those of this process that failed past the point where they could end themselves (an
     * undo or a commit step that failed): until then, new transactions on their devices are refused.
     */
    public RecoveryReport recover() throws IOException {
        try {
            return recovery.run(running);
        } finally {
            unresolved.keySet().removeIf(id -> !journal.isLive(id));
        }
    }

    /**
     * Compensates committed transaction {@code transactionId} by deleting the snapshots it made,
     * as a new transaction; idempotent (a second undo, or undoing an aborted transaction, changes
     * nothing). A transaction that deleted or reverted snapshots cannot be undone.
     */
    public TransactionResult undo(String transactionId) throws IOException {
        return undo.run(transactionId, begin());
    }

    /** {@link #undo(String)} waiting at most {@code lockTimeout} for busy devices (null: the engine's). */
    public TransactionResult undo(String transactionId, java.time.Duration lockTimeout) throws IOException {
        Transaction t = begin();
        return undo.run(transactionId, lockTimeout == null ? t : t.lockTimeout(lockTimeout));
    }

    /** Every finished transaction, oldest first: what made each snapshot, for catalogs and pruning. */
    public List<TransactionRecord> history() throws IOException {
        return journal.finished();
    }

    /**
     * Reads {@code device} without changing or locking anything: through QEMU's QMP socket for a running VM's
     * disk, else from its image file. For catalogs, which must not reach into how a device is reached. A
     * configured VM that does not answer (QEMU exited, its socket gone or refusing) is read from its file,
     * as recovery handles it offline; only QEMU's own errors fail.
     */
    public DeviceView describe(String device) throws IOException {
        try (Devices devices = Devices.readOnly(registry)) {
            if (devices.get(device) instanceof LiveDisk live) {
                return live.view();
            }
        } catch (io.blksnap.qmp.QmpException e) {
            if (e.errorClass() != null) {
                throw e;
            }
        }
        return DeviceView.ofImage(device, registry.activeImage(device));
    }

    public DeviceRegistry registry() {
        return registry;
    }

    public void addListener(TransactionListener listener) {
        events.add(listener);
    }

    public void removeListener(TransactionListener listener) {
        events.remove(listener);
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
