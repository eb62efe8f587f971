package io.blksnap.camel;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.blksnap.catalog.CatalogDevice;
import io.blksnap.catalog.CatalogSnapshot;
import io.blksnap.catalog.GroupCatalog;
import io.blksnap.catalog.GroupSnapshot;
import io.blksnap.registry.Device;
import io.blksnap.registry.RegistryException;
import io.blksnap.retention.PruneDecision;
import io.blksnap.retention.PruneResult;
import io.blksnap.retention.GroupPruner;
import io.blksnap.retention.RetentionPolicy;
import io.blksnap.txn.ExternalSnapshotRequest;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.InvalidRequestException;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.SnapshotNamer;
import io.blksnap.txn.SnapshotRequest;
import io.blksnap.txn.Step;
import io.blksnap.txn.Transaction;
import io.blksnap.txn.TransactionRecord;
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
    /** External snapshot names become file names: {@code <device>-<name>.qcow2}. */
    private static final Pattern FILE_NAME_PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

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
                    read(() -> new GroupCatalog(engine).catalog(group(), getEndpoint().clock().instant())));
            default -> throw new BlksnapInvalidRequestException("unsupported operation " + op);
        }
    }

    // ---- operations ----

    private void snapshot(Exchange exchange, SnapshotEngine engine) throws BlksnapException {
        Message in = exchange.getMessage();
        List<Device> devices = devices(engine);
        Instant time = snapshotTime(in);
        String name = name(in);
        if (name == null) {
            try {
                name = new SnapshotNamer(conf().getNamePattern(), getEndpoint().zone()).name(time);
            } catch (IOException e) {
                throw new BlksnapInvalidRequestException(null, "namePattern: " + e.getMessage(), e);
            }
        }
        BlksnapSnapshotType type = type(in);
        List<SnapshotRequest> requests = new ArrayList<>();
        for (Device d : devices) {
            if (type == BlksnapSnapshotType.internal) {
                requests.add(InternalSnapshotRequest.create(d.name(), name, time));
            } else {
                if (!FILE_NAME_PART.matcher(name).matches()) {
                    throw new BlksnapInvalidRequestException(null, "external snapshot name \"" + name
                            + "\" must be letters, digits, '.', '_' or '-' (it becomes part of a file name)", null);
                }
                requests.add(ExternalSnapshotRequest.create(d.name(), d.overlayDir().resolve(d.name() + "-" + name + ".qcow2")));
            }
        }
        TransactionResult r = transaction(engine, requests);
        in.setHeader(BlksnapConstants.SNAPSHOT_NAME, name);
        String lra = in.getHeader(Exchange.SAGA_LONG_RUNNING_ACTION, String.class);
        if (lra != null && r.committed()) {
            getEndpoint().getComponent().sagas().record(lra, group(), r.id());
        }
        finish(exchange, BlksnapOperations.snapshot, r);
    }

    private void delete(Exchange exchange, SnapshotEngine engine) throws BlksnapException {
        String name = requireName(exchange.getMessage(), "delete");
        List<String> holders = new ArrayList<>();
        for (GroupSnapshot s : list(engine)) {
            if (s.name().equals(name)) {
                holders.addAll(s.devices());
            }
        }
        if (holders.isEmpty()) {
            throw new BlksnapInvalidRequestException(null, "group " + group() + " has no snapshot named \"" + name + "\"",
                    null);
        }
        List<SnapshotRequest> requests = new ArrayList<>();
        for (String d : new LinkedHashSet<>(holders)) {
            requests.add(InternalSnapshotRequest.delete(d, name));
        }
        finish(exchange, BlksnapOperations.delete, transaction(engine, requests));
    }

    private void apply(Exchange exchange, SnapshotEngine engine) throws BlksnapException {
        String name = requireName(exchange.getMessage(), "apply");
        List<SnapshotRequest> requests = new ArrayList<>();
        for (Device d : devices(engine)) {
            requests.add(InternalSnapshotRequest.apply(d.name(), name));
        }
        finish(exchange, BlksnapOperations.apply, transaction(engine, requests));
    }

    private List<GroupSnapshot> list(SnapshotEngine engine) throws BlksnapException {
        return read(() -> new GroupCatalog(engine).groupSnapshots(group()));
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
        Set<String> members = new LinkedHashSet<>();
        for (Device d : devices(engine)) {
            members.add(d.name());
        }
        TransactionRecord record = read(() -> {
            TransactionRecord found = null;
            for (TransactionRecord t : engine.history()) {
                if (t.id().equals(id)) {
                    found = t;
                }
            }
            return found;
        });
        if (record != null) {
            for (SnapshotRequest r : record.requests()) {
                if (!members.contains(r.device())) {
                    throw new BlksnapInvalidRequestException(r.device(), "transaction " + id + " changed device "
                            + r.device() + ", which is not in group " + group(), null);
                }
            }
        }
        TransactionResult r = gated(members, List.of(), () -> engine.undo(id));
        boolean ranNothing = r.outcomes().isEmpty();
        BlksnapTransaction view = new BlksnapTransaction(ranNothing ? null : r.id(), group(),
                BlksnapOperations.undo.name(), r.status().name(), r.committed(), r.failedDevice(), r.reason(), id,
                r.outcomes().stream().map(BlksnapOutcome::of).toList());
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
        Set<String> members = new LinkedHashSet<>();
        for (Device d : devices(engine)) {
            members.add(d.name());
        }
        Map<String, String> names = new HashMap<>();
        PruneResult result = gated(members, List.of(), () -> {
            // the names of the candidates (transaction ids), read under the same gate as the pruning
            for (CatalogDevice d : new GroupCatalog(engine).catalog(group(), now).devices()) {
                for (CatalogSnapshot s : d.snapshots()) {
                    if (s.transactionId() != null) {
                        names.putIfAbsent(s.transactionId(), s.name());
                    }
                }
            }
            return new GroupPruner(engine).prune(group(), policy, now, getEndpoint().zone(), dryRun);
        });
        List<BlksnapPruneDecision> decisions = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> pruned = new ArrayList<>();
        for (PruneDecision d : result.decisions()) {
            String name = names.get(d.id());
            decisions.add(new BlksnapPruneDecision(name, d.id(), d.time().toString(), d.time().getEpochSecond(),
                    d.keep(), d.rule(), d.ruleIndex(), d.keep() ? d.rule() + " #" + d.ruleIndex() : "pruned"));
            (d.keep() ? kept : pruned).add(name);
        }
        BlksnapTransaction txn = result.transaction() == null ? null
                : BlksnapTransaction.of(group(), BlksnapOperations.prune, result.transaction(), null);
        BlksnapPruneResult body = new BlksnapPruneResult(group(), dryRun, now.toString(),
                new BlksnapPruneResult.Policy(policy.keepLast(), policy.keepHourly(), policy.keepDaily(),
                        policy.keepWeekly(), policy.keepMonthly(), policy.keepYearly(),
                        policy.keepWithin() == null ? null : policy.keepWithin().toString()),
                List.copyOf(decisions), List.copyOf(kept), List.copyOf(pruned), txn);
        if (txn != null) {
            in.setHeader(BlksnapConstants.PRUNE_TRANSACTION_ID, txn.id());
            in.setHeader(BlksnapConstants.TRANSACTION_STATUS, txn.status());
            if (!txn.committed()) {
                throw new BlksnapTransactionAbortedException(txn);
            }
        }
        in.setBody(body);
    }

    // ---- transactions ----

    /** The requests as one transaction, under the gate: refused (nothing changed), aborted, or committed. */
    private TransactionResult transaction(SnapshotEngine engine, List<SnapshotRequest> requests)
            throws BlksnapException {
        Set<String> devices = new LinkedHashSet<>();
        requests.forEach(r -> devices.add(r.device()));
        return gated(devices, requests, () -> {
            Transaction t = engine.begin();
            for (SnapshotRequest r : requests) {
                t.add(r);
            }
            return t.submit();
        });
    }

    private interface EngineCall<T> {
        T call() throws IOException;
    }

    private <T> T gated(Set<String> devices, List<SnapshotRequest> requests, EngineCall<T> call)
            throws BlksnapException {
        DeviceGate gate = getEndpoint().getComponent().gate();
        long timeout = conf().getTimeout();
        try {
            if (!gate.acquire(devices, timeout)) {
                throw new BlksnapTransactionAbortedException(new BlksnapTransaction(null, group(), null, "ABORTED",
                        false, null, "devices are busy with another transaction (waited " + timeout + " ms)", null,
                        requests.stream().map(r -> BlksnapOutcome.of(r, Step.CANCELLED, null, null)).toList()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BlksnapException("interrupted while waiting for the devices of group " + group(), e);
        }
        try {
            return read(call);
        } finally {
            gate.release(devices);
        }
    }

    /** Runs an engine call, turning its refusals into BlksnapInvalidRequestException. */
    private <T> T read(EngineCall<T> call) throws BlksnapException {
        try {
            return call.call();
        } catch (InvalidRequestException e) {
            throw new BlksnapInvalidRequestException(e.device(), e.getMessage(), e);
        } catch (RegistryException e) {
            throw new BlksnapInvalidRequestException(null, e.getMessage(), e);
        } catch (IOException e) {
            throw new BlksnapException("blksnap on group " + group() + ": " + e.getMessage(), e);
        }
    }

    private void finish(Exchange exchange, BlksnapOperations op, TransactionResult r)
            throws BlksnapTransactionAbortedException {
        BlksnapTransaction view = BlksnapTransaction.of(group(), op, r, null);
        Message in = exchange.getMessage();
        in.setHeader(BlksnapConstants.TRANSACTION_ID, r.id());
        in.setHeader(BlksnapConstants.TRANSACTION_STATUS, r.status().name());
        if (!r.committed()) {
            throw new BlksnapTransactionAbortedException(view);
        }
        in.setBody(view);
    }

    // ---- inputs ----

    private List<Device> devices(SnapshotEngine engine) throws BlksnapException {
        return read(() -> engine.registry().group(group()));
    }

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
