package io.blksnap.txn;

/** Receives progress and outcomes of transactions (for metrics, audit, the Camel consumer). */
@FunctionalInterface
public interface TransactionListener {

    void onEvent(TransactionEvent event);
}
