package io.blksnap.camel;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What prune does with one group snapshot, and why.
 *
 * @param name          the snapshot's name
 * @param transactionId the transaction that made it (prune's candidates are blksnap's own group snapshots)
 * @param time          when it was taken, ISO-8601
 * @param dateSec       when it was taken, epoch seconds
 * @param keep          whether it stays
 * @param rule          the rule that keeps it (within, last, hourly, daily, weekly, monthly, yearly), null if pruned
 * @param ruleIndex     its 1-based position among that rule's keeps, newest first; 0 if pruned
 * @param reason        borg's wording: "daily #3", or "pruned"
 */
@JsonPropertyOrder({ "name", "transactionId", "time", "dateSec", "keep", "rule", "ruleIndex", "reason" })
public record BlksnapPruneDecision(String name, String transactionId, String time, long dateSec, boolean keep,
        String rule, int ruleIndex, String reason) {
}
