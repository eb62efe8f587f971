package io.blksnap.retention;

import java.time.Instant;
import java.util.Objects;

/**
 * What the plan does with one candidate and, when it keeps it, why: the rule and the candidate's
 * 1-based position among that rule's keeps, as borg reports {@code Keeping archive (rule: daily #3)}.
 * The reason lets a dry run explain itself.
 *
 * @param rule      for a kept candidate one of {@link #WITHIN}, {@link #LAST}, {@link #HOURLY},
 *                  {@link #DAILY}, {@link #WEEKLY}, {@link #MONTHLY}, {@link #YEARLY}, or
 *                  {@link #ALL} when the policy was empty; null for a pruned one
 * @param ruleIndex 1-based position among the rule's keeps, newest first; 0 for a pruned one
 */
public record PruneDecision(String id, Instant time, boolean keep, String rule, int ruleIndex) {

    public static final String WITHIN = "within";
    public static final String LAST = "last";
    public static final String HOURLY = "hourly";
    public static final String DAILY = "daily";
    public static final String WEEKLY = "weekly";
    public static final String MONTHLY = "monthly";
    public static final String YEARLY = "yearly";
    /** Kept because the policy was empty: an empty policy keeps everything rather than nothing. */
    public static final String ALL = "all";

    public PruneDecision {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        if (keep && (rule == null || ruleIndex < 1)) {
            throw new IllegalArgumentException("a kept candidate needs a rule and a ruleIndex >= 1: " + id);
        }
        if (!keep && (rule != null || ruleIndex != 0)) {
            throw new IllegalArgumentException("a pruned candidate has no rule and ruleIndex 0: " + id);
        }
    }

    static PruneDecision kept(RetentionCandidate candidate, String rule, int ruleIndex) {
        return new PruneDecision(candidate.id(), candidate.time(), true, rule, ruleIndex);
    }

    static PruneDecision pruned(RetentionCandidate candidate) {
        return new PruneDecision(candidate.id(), candidate.time(), false, null, 0);
    }

    /** borg's wording, e.g. {@code daily #3}, or {@code pruned}. */
    @Override
    public String toString() {
        return id + " " + time + " " + (keep ? rule + " #" + ruleIndex : "pruned");
    }
}
