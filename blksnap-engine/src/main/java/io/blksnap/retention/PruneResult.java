package io.blksnap.retention;

import io.blksnap.txn.TransactionResult;

import java.util.List;
import java.util.Map;

/**
 * What pruning a group decided, the deletions that carry it out, and (unless it was a dry run, or
 * nothing was to go) the transactions that made them.
 *
 * @param names        the name of the group snapshot each candidate (a creating transaction's id) made
 * @param steps        every deletion of the pruned group snapshots, in order (see {@link GroupPruner}),
 *                     refused ones included
 * @param transactions the transactions run, in order; empty for a dry run or when nothing went
 */
public record PruneResult(String group, boolean dryRun, List<PruneDecision> decisions, Map<String, String> names,
                          List<PruneStep> steps, List<TransactionResult> transactions) {

    public List<PruneDecision> pruned() {
        return decisions.stream().filter(d -> !d.keep()).toList();
    }

    public List<PruneDecision> kept() {
        return decisions.stream().filter(PruneDecision::keep).toList();
    }

    /** The steps that cannot be made: their group snapshots stay, whatever the plan says. */
    public List<PruneStep> refused() {
        return steps.stream().filter(s -> s.refusal() != null).toList();
    }

    /** The one transaction that made every deletion, or the last of several; null when none ran. */
    public TransactionResult transaction() {
        return transactions.isEmpty() ? null : transactions.get(transactions.size() - 1);
    }
}
