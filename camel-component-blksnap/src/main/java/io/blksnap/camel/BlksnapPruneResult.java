package io.blksnap.camel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.blksnap.retention.PruneDecision;
import io.blksnap.retention.PruneResult;
import io.blksnap.retention.PruneStep;
import io.blksnap.retention.RetentionPolicy;

/**
 * The body of prune: the policy, one decision per group snapshot (newest first), the names kept and pruned, and
 * the transaction that deleted the pruned ones (null for a dry run or when nothing was to go; the last one when the
 * deletions took several), and the deletions in order: internal ones, then external points merged away oldest
 * first with the bytes each merge moves, and any refused (a group snapshot with a refused one is kept whole).
 */
@JsonPropertyOrder({ "group", "dryRun", "now", "policy", "decisions", "kept", "pruned", "transaction", "steps" })
public record BlksnapPruneResult(String group, boolean dryRun, String now, Policy policy,
        List<BlksnapPruneDecision> decisions, List<String> kept, List<String> pruned, BlksnapTransaction transaction,
        List<PruneStep> steps) {

    /** The retention policy applied; keepWithin as ISO-8601 (null: off). */
    @JsonPropertyOrder({ "keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly",
                         "keepWithin" })
    public record Policy(int keepLast, int keepHourly, int keepDaily, int keepWeekly, int keepMonthly, int keepYearly,
            String keepWithin) {
    }

    static BlksnapPruneResult of(PruneResult result, RetentionPolicy policy, Instant now) {
        List<BlksnapPruneDecision> decisions = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> pruned = new ArrayList<>();
        for (PruneDecision d : result.decisions()) {
            String name = result.names().get(d.id());
            decisions.add(new BlksnapPruneDecision(name, d.id(), d.time().toString(), d.time().getEpochSecond(),
                    d.keep(), d.rule(), d.ruleIndex(), d.keep() ? d.rule() + " #" + d.ruleIndex() : "pruned"));
            (d.keep() ? kept : pruned).add(name);
        }
        BlksnapTransaction txn = result.transaction() == null ? null
                : BlksnapTransaction.of(result.group(), BlksnapOperations.prune, result.transaction(), null);
        return new BlksnapPruneResult(result.group(), result.dryRun(), now.toString(),
                new Policy(policy.keepLast(), policy.keepHourly(), policy.keepDaily(), policy.keepWeekly(),
                        policy.keepMonthly(), policy.keepYearly(),
                        policy.keepWithin() == null ? null : policy.keepWithin().toString()),
                List.copyOf(decisions), List.copyOf(kept), List.copyOf(pruned), txn, result.steps());
    }
}
