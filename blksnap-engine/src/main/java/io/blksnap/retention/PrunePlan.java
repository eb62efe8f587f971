package io.blksnap.retention;

import java.util.Comparator;
import java.util.List;

/**
 * The outcome of {@link RetentionPlanner#plan}: one decision per candidate, newest first (later time
 * first; equal times, greater id first, the planner's order). Nothing is deleted by a plan; the
 * caller acts on {@link #pruned()}, or only prints the plan for a dry run.
 */
public record PrunePlan(List<PruneDecision> decisions) {

    static final Comparator<PruneDecision> NEWEST_FIRST =
            Comparator.comparing(PruneDecision::time).thenComparing(PruneDecision::id).reversed();

    public PrunePlan {
        decisions = decisions.stream().sorted(NEWEST_FIRST).toList();
    }

    /** The candidates kept, newest first. */
    public List<PruneDecision> kept() {
        return decisions.stream().filter(PruneDecision::keep).toList();
    }

    /** The candidates to prune, newest first. */
    public List<PruneDecision> pruned() {
        return decisions.stream().filter(d -> !d.keep()).toList();
    }
}
