package io.blksnap.retention;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides which candidates a {@link RetentionPolicy} keeps, with the rules of {@code borg prune}, so
 * that a policy means here what it means to users of borg and Proxmox:
 *
 * <ol>
 * <li>Candidates are walked newest first. Equal times are ordered by id, the greater id counting as
 *     the newer, so a plan never depends on the input order.</li>
 * <li>{@code keepWithin} first keeps every candidate whose time is strictly after
 *     {@code now - keepWithin} (a candidate exactly at the boundary is not kept).</li>
 * <li>Then the counted rules, in the order last, hourly, daily, weekly, monthly, yearly. Each divides
 *     time into periods: for last every candidate is its own period; the others use the calendar in
 *     {@code zone}: the local hour, day, ISO week (week-based year and week number, borg's
 *     {@code %G-%V}: Monday to Sunday, so 2027-01-01 is in week 53 of 2026), month, and calendar
 *     year. Walking newest first, only the newest candidate of each period is considered; if an
 *     earlier rule already keeps it, the period is used up without counting toward this rule (and
 *     the period's older candidates are not considered); otherwise the rule keeps it. The rule stops
 *     once it has kept N. Periods without candidates do not count.</li>
 * <li>Whatever no rule keeps is pruned.</li>
 * </ol>
 *
 * <p>Periods are wall-clock labels, as borg's strftime: when clocks go back, the repeated local hour
 * is one hourly period, and a day that is 23 or 25 hours long is still one day.
 *
 * <p>An <em>empty</em> policy ({@link RetentionPolicy#isEmpty()}) keeps every candidate, with rule
 * {@link PruneDecision#ALL}: applied literally it would prune everything, which is never what a
 * missing option should do. (borg refuses to run without a rule; Proxmox keeps all.)
 *
 * <p>Unlike borg 1.2 and later, a rule that finds fewer than N periods does not also keep the oldest
 * candidate ("[oldest]"): Proxmox does not either, and it keeps the rule's meaning exact.
 */
public final class RetentionPlanner {

    private static final Comparator<RetentionCandidate> NEWEST_FIRST =
            Comparator.comparing(RetentionCandidate::time).thenComparing(RetentionCandidate::id).reversed();

    private RetentionPlanner() {
    }

    /**
     * @param candidates the prunable items, in any order; ids must be unique
     * @param now        the time keepWithin counts back from
     * @param zone       the time zone whose calendar defines hours, days, weeks, months and years
     * @return one decision per candidate, newest first
     * @throws IllegalArgumentException if two candidates share an id
     */
    public static PrunePlan plan(List<RetentionCandidate> candidates, RetentionPolicy policy, Instant now,
                                 ZoneId zone) {
        Objects.requireNonNull(candidates, "candidates");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(zone, "zone");
        Set<String> ids = new HashSet<>();
        for (RetentionCandidate c : candidates) {
            Objects.requireNonNull(c, "candidate");
            if (!ids.add(c.id())) {
                throw new IllegalArgumentException("two candidates have the id " + c.id());
            }
        }
        List<RetentionCandidate> newestFirst = new ArrayList<>(candidates);
        newestFirst.sort(NEWEST_FIRST);

        Map<String, PruneDecision> kept = new HashMap<>();
        if (policy.isEmpty()) {
            keepAll(newestFirst, kept);
        } else {
            if (policy.keepWithin() != null) {
                keepWithin(newestFirst, now.minus(policy.keepWithin()), kept);
            }
            keepOnePerPeriod(newestFirst, policy.keepLast(), PruneDecision.LAST, RetentionCandidate::id, kept);
            keepOnePerPeriod(newestFirst, policy.keepHourly(), PruneDecision.HOURLY,
                    c -> local(c, zone).toLocalDateTime().truncatedTo(ChronoUnit.HOURS), kept);
            keepOnePerPeriod(newestFirst, policy.keepDaily(), PruneDecision.DAILY,
                    c -> local(c, zone).toLocalDate(), kept);
            keepOnePerPeriod(newestFirst, policy.keepWeekly(), PruneDecision.WEEKLY,
                    c -> isoWeek(local(c, zone).toLocalDateTime()), kept);
            keepOnePerPeriod(newestFirst, policy.keepMonthly(), PruneDecision.MONTHLY,
                    c -> YearMonth.from(local(c, zone)), kept);
            keepOnePerPeriod(newestFirst, policy.keepYearly(), PruneDecision.YEARLY,
                    c -> Year.from(local(c, zone)), kept);
        }

        List<PruneDecision> decisions = new ArrayList<>(newestFirst.size());
        for (RetentionCandidate c : newestFirst) {
            PruneDecision d = kept.get(c.id());
            decisions.add(d != null ? d : PruneDecision.pruned(c));
        }
        return new PrunePlan(decisions);
    }

    private static void keepAll(List<RetentionCandidate> newestFirst, Map<String, PruneDecision> kept) {
        int index = 0;
        for (RetentionCandidate c : newestFirst) {
            kept.put(c.id(), PruneDecision.kept(c, PruneDecision.ALL, ++index));
        }
    }

    private static void keepWithin(List<RetentionCandidate> newestFirst, Instant cutoff,
                                   Map<String, PruneDecision> kept) {
        int index = 0;
        for (RetentionCandidate c : newestFirst) {
            if (!c.time().isAfter(cutoff)) {
                break;
            }
            kept.put(c.id(), PruneDecision.kept(c, PruneDecision.WITHIN, ++index));
        }
    }

    /**
     * One rule: the newest candidate of each period, up to {@code count} of them, skipping (without
     * counting) a period whose newest candidate an earlier rule keeps.
     */
    private static void keepOnePerPeriod(List<RetentionCandidate> newestFirst, int count, String rule,
                                         Function<RetentionCandidate, Object> period,
                                         Map<String, PruneDecision> kept) {
        if (count == 0) {
            return;
        }
        // Periods are monotone in time, so "seen before" is borg's "differs from the previous one".
        Set<Object> seen = new HashSet<>();
        int index = 0;
        for (RetentionCandidate c : newestFirst) {
            if (index == count) {
                break;
            }
            if (!seen.add(period.apply(c)) || kept.containsKey(c.id())) {
                continue;
            }
            kept.put(c.id(), PruneDecision.kept(c, rule, ++index));
        }
    }

    private static ZonedDateTime local(RetentionCandidate c, ZoneId zone) {
        return c.time().atZone(zone);
    }

    /** The ISO week as borg's {@code %G-%V}, e.g. 2026-W53 for 2027-01-01. */
    private static String isoWeek(LocalDateTime t) {
        return String.format("%04d-W%02d", t.get(IsoFields.WEEK_BASED_YEAR), t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }
}
