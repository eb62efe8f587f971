package io.blksnap.camel;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The body of prune: the policy, one decision per group snapshot (newest first), the names kept and pruned, and
 * the transaction that deleted the pruned ones (null for a dry run or when nothing was to go).
 */
@JsonPropertyOrder({ "group", "dryRun", "now", "policy", "decisions", "kept", "pruned", "transaction" })
public record BlksnapPruneResult(String group, boolean dryRun, String now, Policy policy,
        List<BlksnapPruneDecision> decisions, List<String> kept, List<String> pruned, BlksnapTransaction transaction) {

    /** The retention policy applied; keepWithin as ISO-8601 (null: off). */
    @JsonPropertyOrder({ "keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly",
                         "keepWithin" })
    public record Policy(int keepLast, int keepHourly, int keepDaily, int keepWeekly, int keepMonthly, int keepYearly,
            String keepWithin) {
    }
}
