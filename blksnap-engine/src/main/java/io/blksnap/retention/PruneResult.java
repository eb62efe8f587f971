package io.blksnap.retention;

import io.blksnap.txn.TransactionResult;

import java.util.List;
import java.util.Map;

/**
 * What pruning a group decided, and (unless it was a dry run, or nothing was to go) the
 * transaction that deleted the pruned group snapshots.
 *
 * @param names the name of the group snapshot each candidate (a creating transaction's id) made
 */
public record PruneResult(String group, boolean dryRun, List<PruneDecision> decisions, Map<String, String> names,
                          TransactionResult transaction) {

    public List<PruneDecision> pruned() {
        return decisions.stream().filter(d -> !d.keep()).toList();
    }

    public List<PruneDecision> kept() {
        return decisions.stream().filter(PruneDecision::keep).toList();
    }
}
