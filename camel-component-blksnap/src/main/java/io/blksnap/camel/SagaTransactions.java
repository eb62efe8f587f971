package io.blksnap.camel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot transactions this component committed inside each saga (by Long-Running-Action id and group), so
 * that a compensation calling {@code operation=undo} without a transaction id undoes them. A saga's options are
 * evaluated before its steps run, so they cannot carry a transaction id made inside the saga. In memory, like
 * Camel's InMemorySagaService; the oldest sagas are forgotten beyond {@link #MAX_SAGAS}.
 */
final class SagaTransactions {

    static final int MAX_SAGAS = 10_000;

    private final Map<String, List<String>> byKey = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
            return size() > MAX_SAGAS;
        }
    };

    synchronized void record(String lra, String group, String transactionId) {
        byKey.computeIfAbsent(key(lra, group), k -> new ArrayList<>()).add(transactionId);
    }

    /** The saga's transactions on the group, newest first. */
    synchronized List<String> of(String lra, String group) {
        List<String> ids = new ArrayList<>(byKey.getOrDefault(key(lra, group), List.of()));
        java.util.Collections.reverse(ids);
        return ids;
    }

    synchronized void forget(String lra, String group, String transactionId) {
        List<String> ids = byKey.get(key(lra, group));
        if (ids != null) {
            ids.remove(transactionId);
            if (ids.isEmpty()) {
                byKey.remove(key(lra, group));
            }
        }
    }

    private static String key(String lra, String group) {
        return group + "\u0000" + lra;
    }
}
