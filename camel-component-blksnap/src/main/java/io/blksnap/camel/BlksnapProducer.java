package io.blksnap.camel;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Date;
import java.util.List;
import java.util.Locale;

import io.blksnap.catalog.GroupCatalog;
import io.blksnap.catalog.GroupSnapshot;
import io.blksnap.group.GroupOperations;
import io.blksnap.group.GroupRequestException;
import io.blksnap.group.SnapshotKind;
import io.blksnap.registry.RegistryException;
import io.blksnap.retention.PruneResult;
import io.blksnap.retention.RetentionPolicy;
import io.blksnap.txn.InvalidRequestException;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.SnapshotNamer;
import io.blksnap.txn.TransactionResult;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one operation per exchange on the endpoint's group. Every change is one engine transaction: all devices
 * change, or none does.
 */
public class BlksnapProducer extends DefaultProducer {

    private static final Logger LOG = LoggerFactory.getLogger(BlksnapProducer.class);

    public BlksnapProducer(BlksnapEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public BlksnapEndpoint getEndpoint() {
        return (BlksnapEndpoint) super.getEndpoint();
    }

    private BlksnapConfiguration conf() {
        return getEndpoint().getConfiguration();
    }

    private String group() {
        return getEndpoint().getGroup();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        BlksnapOperations op = operation(exchange.getMessage());
        SnapshotEngine engine = getEndpoint().engine();
        exchange.getMessage().setHeader(BlksnapConstants.GROUP, group());
        switch (op) {
            case snapshot -> snapshot(exchange, engine);
            case delete -> delete(exchange, engine);
            case list -> exchange.getMessage().setBody(list(engine));
            case apply -> apply(exchange, engine);
            case undo -> undo(exchange, engine);
            case prune -> prune(exchange, engine);
            case catalog -> exchange.getMessage().setBody(
                    call(() -> new GroupCatalog(engine).catalog(group(), getEndpoint().clock().instant())));
            default -> throw new BlksnapInvalidRequestException("unsupported operation " + op);
        }
    }

    // ---- operations: read the inputs, one engine call, map the result ----

    private GroupOperations groupOperations(SnapshotEngine engine) {
        return new GroupOperations(engine, Duration.ofMillis(conf().getTimeout()));
    }

    private void snapshot(Exchange exchange, SnapshotEngine engine) throws BlksnapException {
        Message in = exchange.getMessage();
        Instant time = snapshotTime(in);
        String name = name(in);
        if (name == null) {
            try {
                name = new SnapshotNamer(conf().getNamePattern(), getEndpoint().zone()).name(time);
            } catch (IOException e) {
                throw new BlksnapInvalidRequestException(null, "namePattern: " + e.getMessage(), e);
            }
        }
        String taken = name;
        SnapshotKind kind = type(in) == BlksnapSnapshotType.internal ? SnapshotKind.INTERNAL : SnapshotKind.EXTERNAL;
        TransactionResult r = call(() -> groupOperations(engine).snapshot(group(), taken, kind, time,
                conf().isMemory()));
        in.setHeader(BlksnapConstants.SNAPSHOT_NAME, name);
        String lra = in.getHeader(Exchange.SAGA_LONG_RUNNING_ACTION, String.class);
        if (lra != null && r.committed()) {
            getEndpoint().getComponent().sagas().record(lra, group(), r.id());
        }
        finish(exchange, BlksnapOperations.snapshot, r);
    }

    private void delete(Exchange exchange, SnapshotEngine engine) throws BlksnapException {
        String name = requireName(exchange.getMessage(), "delete");
        finish(exchange, BlksnapOperations.delete, call(() -> groupOperations(engine).delete(group(), name)));
    }

    private void apply(Exchange exchange, SnapshotEngine engine) throws BlksnapException {
        String name = requireName(exchange.getMessage(), "apply");
        finish(exchange, BlksnapOperations.apply, call(() -> groupOperations(engine).apply(group(), name)));
    }

    private List<GroupSnapshot> list(SnapshotEngine engine) throws BlksnapException {
        return call(() -> new GroupCatalog(engine).groupSnapshots(group()));
    }

    private void undo(Exchange exchange, SnapshotEngine engine) throws BlksnapException {
        Message in = exchange.getMessage();
        String id = in.getHeader(BlksnapConstants.TRANSACTION_ID, String.class);
        if (id == null) {
            id = conf().getTransactionId();
        }
        if (id != null) {
            in.setBody(undoOne(engine, id));
            return;
        }
        String lra = in.getHeader(Exchange.SAGA_LONG_RUNNING_ACTION, String.class);
        if (lra == null) {
            throw new BlksnapInvalidRequestException("undo needs a transaction id: the "
                    + BlksnapConstants.TRANSACTION_ID + " header or the transactionId option (or a saga's "
                    + Exchange.SAGA_LONG_RUNNING_ACTION + " header)");
        }
        SagaTransactions sagas = getEndpoint().getComponent().sagas();
        List<String> ids = sagas.of(lra, group());
        BlksnapTransaction last = new BlksnapTransaction(null, group(), BlksnapOperations.undo.name(), "COMMITTED",
                true, null, "nothing to undo: saga " + lra + " took no snapshot of group " + group(), null, List.of());
        for (String t : ids) {
            // newest first, each its own idempotent transaction: a failed compensation can simply be retried
            last = undoOne(engine, t);
            sagas.forget(lra, group(), t);
        }
        LOG.debug("Compensated saga {} on group {}: {}", lra, group(), ids);
        in.setBody(last);
    }

    /** Undoes one transaction; the header keeps naming it, so a repeated undo is a no-op. */
    private BlksnapTransaction undoOne(SnapshotEngine engine, String id) throws BlksnapException {
        TransactionResult r = call(() -> groupOperations(engine).undo(group(), id));
        BlksnapTransaction view = BlksnapTransaction.of(group(), BlksnapOperations.undo, r, id);
        if (!r.committed()) {
            throw new BlksnapTransactionAbortedException(view);
        }
        return view;
    }

    private void prune(Exchange exchange, SnapshotEngine engine) throws BlksnapException {
        Message in = exchange.getMessage();
        BlksnapConfiguration c = conf();
        RetentionPolicy policy;
        try {
            policy = getEndpoint().retentionPolicy();
        } catch (IllegalArgumentException e) {
            throw new BlksnapInvalidRequestException(null, e.getMessage(), e);
        }
        if (policy.isEmpty()) {
            throw new BlksnapInvalidRequestException("prune needs a policy: at least one of keepLast, keepHourly,"
                    + " keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin");
        }
        Boolean dryHeader = in.getHeader(BlksnapConstants.DRY_RUN, Boolean.class);
        boolean dryRun = dryHeader != null ? dryHeader : c.isDryRun();
        Instant now = getEndpoint().clock().instant();
        PruneResult result = call(() -> groupOperations(engine).prune(group(), policy, now, getEndpoint().zone(),
                dryRun));
        BlksnapPruneResult body = BlksnapPruneResult.of(result, policy, now);
        BlksnapTransaction txn = body.transaction();
        if (txn != null) {
            in.setHeader(BlksnapConstants.PRUNE_TRANSACTION_ID, txn.id());
            in.setHeader(BlksnapConstants.TRANSACTION_STATUS, txn.status());
            if (!txn.committed()) {
                throw new BlksnapTransactionAbortedException(txn);
            }
        }
        in.setBody(body);
    }

    // ---- engine calls and results ----

    private interface EngineCall<T> {
        T call() throws IOException;
    }

    /** Runs an engine call, turning its refusals into BlksnapInvalidRequestException. */
    private <T> T call(EngineCall<T> call) throws BlksnapException {
        try {
            return call.call();
        } catch (InvalidRequestException e) {
            throw new BlksnapInvalidRequestException(e.device(), e.getMessage(), e);
        } catch (GroupRequestException | RegistryException e) {
            throw new BlksnapInvalidRequestException(null, e.getMessage(), e);
        } catch (IOException e) {
            throw new BlksnapException("blksnap on group " + group() + ": " + e.getMessage(), e);
        }
    }

    private void finish(Exchange exchange, BlksnapOperations op, TransactionResult r)
            throws BlksnapTransactionAbortedException {
        BlksnapTransaction view = BlksnapTransaction.of(group(), op, r, null);
        Message in = exchange.getMessage();
        if (view.id() != null) {
            in.setHeader(BlksnapConstants.TRANSACTION_ID, view.id());
            in.setHeader(BlksnapConstants.TRANSACTION_STATUS, view.status());
        }
        if (!r.committed()) {
            throw new BlksnapTransactionAbortedException(view);
        }
        in.setBody(view);
    }

    // ---- inputs ----

    private BlksnapOperations operation(Message in) throws BlksnapInvalidRequestException {
        Object h = in.getHeader(BlksnapConstants.OPERATION);
        if (h == null) {
            if (conf().getOperation() == null) {
                throw new BlksnapInvalidRequestException("no operation: set the operation option or the "
                        + BlksnapConstants.OPERATION + " header");
            }
            return conf().getOperation();
        }
        if (h instanceof BlksnapOperations o) {
            return o;
        }
        try {
            return BlksnapOperations.valueOf(h.toString().trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BlksnapInvalidRequestException(null, "unknown operation \"" + h + "\"", e);
        }
    }

    private BlksnapSnapshotType type(Message in) throws BlksnapInvalidRequestException {
        Object h = in.getHeader(BlksnapConstants.TYPE);
        if (h == null) {
            return conf().getType() != null ? conf().getType() : BlksnapSnapshotType.internal;
        }
        if (h instanceof BlksnapSnapshotType t) {
            return t;
        }
        try {
            return BlksnapSnapshotType.valueOf(h.toString().trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BlksnapInvalidRequestException(null, "unknown snapshot type \"" + h + "\"", e);
        }
    }

    private String name(Message in) {
        String h = in.getHeader(BlksnapConstants.SNAPSHOT_NAME, String.class);
        return h != null ? h : conf().getName();
    }

    private String requireName(Message in, String op) throws BlksnapInvalidRequestException {
        String name = name(in);
        if (name == null || name.isEmpty()) {
            throw new BlksnapInvalidRequestException(op + " needs a snapshot name: the name option or the "
                    + BlksnapConstants.SNAPSHOT_NAME + " header");
        }
        return name;
    }

    private Instant snapshotTime(Message in) throws BlksnapInvalidRequestException {
        Object v = in.getHeader(BlksnapConstants.SNAPSHOT_TIME);
        if (v == null) {
            return getEndpoint().clock().instant();
        }
        try {
            if (v instanceof Instant i) {
                return i;
            }
            if (v instanceof Date d) {
                return d.toInstant();
            }
            if (v instanceof Number n) {
                return Instant.ofEpochMilli(n.longValue());
            }
            if (v instanceof TemporalAccessor t) {
                return Instant.from(t);
            }
            String s = v.toString().trim();
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                return OffsetDateTime.parse(s).toInstant();
            }
        } catch (RuntimeException e) {
            throw new BlksnapInvalidRequestException(null, BlksnapConstants.SNAPSHOT_TIME + " \"" + v
                    + "\" is not an instant (Instant, Date, epoch milliseconds or ISO-8601)", e);
        }
    }
}
