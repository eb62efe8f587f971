package io.blksnap.camel;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

import io.blksnap.registry.Device;
import io.blksnap.txn.RequestOutcome;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.TransactionEvent;
import io.blksnap.txn.TransactionListener;
import io.blksnap.txn.TransactionResult;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;

/**
 * Delivers the engine's transaction events that concern the endpoint's group (a transaction touching at least one
 * of its devices) as exchanges, one after another in the order the engine emitted them, on a thread of its own:
 * a route never runs inside a transaction, so it may start transactions itself.
 * <p>
 * The engine's STARTED event does not say which devices it is about; it is delivered just before the first other
 * event of its transaction that does. Transactions the engine's startup recovery resolved (before any listener
 * could listen) are delivered as RECOVERED events when the consumer first starts.
 */
public class BlksnapConsumer extends DefaultConsumer implements TransactionListener {

    private static final int MAX_PENDING = 1000;

    private final Set<TransactionEvent.Kind> kinds;
    private final Map<String, TransactionEvent> pendingStarted = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TransactionEvent> eldest) {
            return size() > MAX_PENDING;
        }
    };
    private Set<String> devices;
    private SnapshotEngine engine;
    private ExecutorService executor;
    private boolean startupReplayed;

    public BlksnapConsumer(BlksnapEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.kinds = endpoint.eventKinds();
    }

    @Override
    public BlksnapEndpoint getEndpoint() {
        return (BlksnapEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        engine = getEndpoint().engine();
        devices = Set.copyOf(engine.registry().group(getEndpoint().getGroup()).stream().map(Device::name).toList());
        executor = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "BlksnapConsumer[" + getEndpoint().getGroup() + "]");
        if (!startupReplayed && kinds.contains(TransactionEvent.Kind.RECOVERED)) {
            startupReplayed = true;
            Instant now = getEndpoint().clock().instant();
            for (TransactionResult r : engine.startupRecovery().resolved()) {
                if (touchesGroup(r)) {
                    deliver(new TransactionEvent(TransactionEvent.Kind.RECOVERED, r.id(), now, null, null, r));
                }
            }
        }
        engine.addListener(this);
    }

    @Override
    protected void doStop() throws Exception {
        if (engine != null) {
            engine.removeListener(this);
            engine = null;
        }
        if (executor != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(executor);
            executor = null;
        }
        synchronized (this) {
            pendingStarted.clear();
        }
        super.doStop();
    }

    @Override
    public synchronized void onEvent(TransactionEvent e) {
        switch (e.kind()) {
            case STARTED -> {
                if (kinds.contains(TransactionEvent.Kind.STARTED)) {
                    pendingStarted.put(e.transactionId(), e);
                }
            }
            case STEP -> {
                if (e.device() != null && devices.contains(e.device())) {
                    flushStarted(e.transactionId());
                    if (kinds.contains(e.kind())) {
                        deliver(e);
                    }
                }
            }
            default -> {
                boolean ours = touchesGroup(e.result());
                if (ours) {
                    flushStarted(e.transactionId());
                    if (kinds.contains(e.kind())) {
                        deliver(e);
                    }
                } else {
                    pendingStarted.remove(e.transactionId());
                }
            }
        }
    }

    private void flushStarted(String transactionId) {
        TransactionEvent started = pendingStarted.remove(transactionId);
        if (started != null) {
            deliver(started);
        }
    }

    private boolean touchesGroup(TransactionResult r) {
        if (r == null) {
            return false;
        }
        for (RequestOutcome o : r.outcomes()) {
            if (devices.contains(o.device())) {
                return true;
            }
        }
        return false;
    }

    private void deliver(TransactionEvent e) {
        ExecutorService ex = executor;
        if (ex == null || ex.isShutdown()) {
            return;
        }
        String group = getEndpoint().getGroup();
        BlksnapEvent body = new BlksnapEvent(e.kind().name(), e.transactionId(),
                e.time() == null ? null : e.time().toString(), group, e.device(),
                e.step() == null ? null : e.step().name(),
                e.result() == null ? null : BlksnapTransaction.of(group, null, e.result(), null));
        ex.execute(() -> process(body, e));
    }

    private void process(BlksnapEvent body, TransactionEvent e) {
        Exchange exchange = createExchange(false);
        try {
            exchange.getMessage().setBody(body);
            exchange.getMessage().setHeader(BlksnapConstants.TRANSACTION_ID, e.transactionId());
            exchange.getMessage().setHeader(BlksnapConstants.EVENT_KIND, e.kind().name());
            exchange.getMessage().setHeader(BlksnapConstants.GROUP, getEndpoint().getGroup());
            if (e.result() != null) {
                exchange.getMessage().setHeader(BlksnapConstants.TRANSACTION_STATUS, e.result().status().name());
            }
            getProcessor().process(exchange);
        } catch (Exception ex) {
            exchange.setException(ex);
        } finally {
            if (exchange.getException() != null) {
                getExceptionHandler().handleException("Error processing blksnap event " + body.kind() + " of "
                                                      + body.transactionId(), exchange, exchange.getException());
            }
            releaseExchange(exchange, false);
        }
    }
}
