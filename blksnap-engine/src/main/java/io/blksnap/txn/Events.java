package io.blksnap.txn;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Delivers transaction events to listeners; a failing listener never fails a transaction. */
final class Events {

    private static final Logger LOG = Logger.getLogger(Events.class.getName());

    private final List<TransactionListener> listeners = new CopyOnWriteArrayList<>();

    void add(TransactionListener l) {
        listeners.add(l);
    }

    void remove(TransactionListener l) {
        listeners.remove(l);
    }

    void emit(TransactionEvent.Kind kind, String id, String device, Step step, TransactionResult result) {
        TransactionEvent e = new TransactionEvent(kind, id, Instant.now(), device, step, result);
        for (TransactionListener l : listeners) {
            try {
                l.onEvent(e);
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "transaction listener failed on " + kind + " of " + id, ex);
            }
        }
    }
}
