package io.blksnap.retention;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every expected keep set below is written out by hand from the calendar, not computed. The
 * calendar facts they rest on (2026):
 * <pre>
 *   2026-01-01 is a Thursday, so 2026 has 53 ISO weeks; 2026-W01 = 2025-12-29 .. 2026-01-04.
 *   Sundays ending the weeks: W01 Jan 4, W02 Jan 11, W03 Jan 18, W04 Jan 25, W05 Feb 1, W06 Feb 8,
 *   W07 Feb 15, W08 Feb 22, W09 Mar 1, W10 Mar 8, W11 Mar 15, W12 Mar 22, W13 Mar 29;
 *   W14 = Mon Mar 30 .. Sun Apr 5.
 *   2026-W53 = Mon 2026-12-28 .. Sun 2027-01-03; 2027-W01 starts Mon 2027-01-04.
 *   Europe/Berlin: CET to CEST at 2026-03-29T01:00Z; CEST to CET at 2026-10-25T01:00Z.
 * </pre>
 *
 * The main history ({@link #history()}), in UTC, with now = 2026-03-31T21:00Z:
 * <pre>
 *   r&lt;date&gt;T&lt;hh&gt;  every 6 hours (00, 06, 12, 18) from 2026-01-01 to 2026-03-31, 90 days,
 *                   except none on Sat 2026-03-28 and Sun 2026-03-29: 352 snapshots
 *   i2026-03-31T19:45     the newest
 *   i2026-03-31T06:30     a second one in the 06 hour of Mar 31
 *   i2026-02-28T23:59     2026-02-28T23:59:59, the newest of February
 *   i2025-12-31T12:00     in 2025, but in ISO week 2026-W01
 *   i2024-06-15T12:00     the oldest
 * </pre>
 * Newest first it starts: i2026-03-31T19:45, r2026-03-31T18, r2026-03-31T12, i2026-03-31T06:30,
 * r2026-03-31T06, r2026-03-31T00, r2026-03-30T18, r2026-03-30T12, r2026-03-30T06, r2026-03-30T00,
 * (no Mar 29, Mar 28) r2026-03-27T18, ...
 */
class RetentionPlannerTest {

    private static final Instant NOW = Instant.parse("2026-03-31T21:00:00Z");
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    // ---- each rule alone, over the main history -------------------------------------------------

    @Test
    void theHistoryIsWhatTheExpectationsAssume() {
        List<RetentionCandidate> h = history();
        assertEquals(357, h.size());
        assertEquals(352, h.stream().filter(c -> c.id().startsWith("r")).count());
    }

    @Test
    void keepLastKeepsTheNewestN() {
        PrunePlan plan = plan("last=5");
        assertEquals(List.of(
                "i2026-03-31T19:45 last #1",
                "r2026-03-31T18 last #2",
                "r2026-03-31T12 last #3",
                "i2026-03-31T06:30 last #4",
                "r2026-03-31T06 last #5"), kept(plan));
        assertEquals(352, plan.pruned().size());
    }

    @Test
    void keepHourlyKeepsTheNewestOfEachHour() {
        // The 06 hour of Mar 31 holds i..06:30 and r..T06: only the newer, i..06:30, is kept.
        PrunePlan plan = plan("hourly=8");
        assertEquals(List.of(
                "i2026-03-31T19:45 hourly #1",
                "r2026-03-31T18 hourly #2",
                "r2026-03-31T12 hourly #3",
                "i2026-03-31T06:30 hourly #4",
                "r2026-03-31T00 hourly #5",
                "r2026-03-30T18 hourly #6",
                "r2026-03-30T12 hourly #7",
                "r2026-03-30T06 hourly #8"), kept(plan));
        assertTrue(prunedIds(plan).contains("r2026-03-31T06"));
    }

    @Test
    void keepDailySkipsDaysWithoutSnapshots() {
        // Mar 29 and Mar 28 have no snapshots and do not count: the 7 days reach back to Mar 23.
        assertEquals(List.of(
                "i2026-03-31T19:45 daily #1",
                "r2026-03-30T18 daily #2",
                "r2026-03-27T18 daily #3",
                "r2026-03-26T18 daily #4",
                "r2026-03-25T18 daily #5",
                "r2026-03-24T18 daily #6",
                "r2026-03-23T18 daily #7"), kept(plan("daily=7")));
    }

    @Test
    void keepWeeklyKeepsTheNewestOfEachIsoWeek() {
        // W14 (from Mon Mar 30), then W13 whose weekend is empty so its newest is Fri Mar 27, then
        // the Sundays of W12 .. W09.
        assertEquals(List.of(
                "i2026-03-31T19:45 weekly #1",
                "r2026-03-27T18 weekly #2",
                "r2026-03-22T18 weekly #3",
                "r2026-03-15T18 weekly #4",
                "r2026-03-08T18 weekly #5",
                "r2026-03-01T18 weekly #6"), kept(plan("weekly=6")));
    }

    @Test
    void keepWeeklyOverTheWholeHistoryPutsLateDecemberInTheNextIsoYear() {
        // 2025-12-31 is in 2026-W01 together with Jan 1-4 2026, whose newest is Sun Jan 4: so
        // i2025-12-31T12:00 is pruned, and the next week with a snapshot is 2024-W24. 15 weeks in
        // all, fewer than 20: nothing more is kept (no borg-1.2 "[oldest]").
        PrunePlan plan = plan("weekly=20");
        assertEquals(List.of(
                "i2026-03-31T19:45 weekly #1",
                "r2026-03-27T18 weekly #2",
                "r2026-03-22T18 weekly #3",
                "r2026-03-15T18 weekly #4",
                "r2026-03-08T18 weekly #5",
                "r2026-03-01T18 weekly #6",
                "r2026-02-22T18 weekly #7",
                "r2026-02-15T18 weekly #8",
                "r2026-02-08T18 weekly #9",
                "r2026-02-01T18 weekly #10",
                "r2026-01-25T18 weekly #11",
                "r2026-01-18T18 weekly #12",
                "r2026-01-11T18 weekly #13",
                "r2026-01-04T18 weekly #14",
                "i2024-06-15T12:00 weekly #15"), kept(plan));
        assertTrue(prunedIds(plan).contains("i2025-12-31T12:00"));
    }

    @Test
    void keepMonthlyKeepsTheNewestOfEachMonth() {
        // February's newest is the irregular 23:59:59 one, not r2026-02-28T18.
        assertEquals(List.of(
                "i2026-03-31T19:45 monthly #1",
                "i2026-02-28T23:59 monthly #2"), kept(plan("monthly=2")));
        // Only 5 months have snapshots: 2026-03, 2026-02, 2026-01, 2025-12, 2024-06.
        assertEquals(List.of(
                "i2026-03-31T19:45 monthly #1",
                "i2026-02-28T23:59 monthly #2",
                "r2026-01-31T18 monthly #3",
                "i2025-12-31T12:00 monthly #4",
                "i2024-06-15T12:00 monthly #5"), kept(plan("monthly=6")));
    }

    @Test
    void keepYearlyKeepsTheNewestOfEachCalendarYear() {
        assertEquals(List.of(
                "i2026-03-31T19:45 yearly #1",
                "i2025-12-31T12:00 yearly #2"), kept(plan("yearly=2")));
        assertEquals(List.of(
                "i2026-03-31T19:45 yearly #1",
                "i2025-12-31T12:00 yearly #2",
                "i2024-06-15T12:00 yearly #3"), kept(plan("yearly=5")));
    }

    @Test
    void keepWithinKeepsEverythingNewerThanNowMinusTheDuration() {
        // now - 36h = 2026-03-30T09:00Z
        assertEquals(List.of(
                "i2026-03-31T19:45 within #1",
                "r2026-03-31T18 within #2",
                "r2026-03-31T12 within #3",
                "i2026-03-31T06:30 within #4",
                "r2026-03-31T06 within #5",
                "r2026-03-31T00 within #6",
                "r2026-03-30T18 within #7",
                "r2026-03-30T12 within #8"), kept(plan("within=PT36H")));
    }

    @Test
    void keepWithinExcludesTheExactBoundary() {
        // now - 39h = 2026-03-30T06:00Z, exactly r2026-03-30T06: not kept (strictly newer only).
        List<String> at39h = kept(plan("within=PT39H"));
        assertEquals(8, at39h.size());
        assertEquals("r2026-03-30T12 within #8", at39h.get(7));
        List<String> justOver = kept(plan("within=PT39H1S"));
        assertEquals(9, justOver.size());
        assertEquals("r2026-03-30T06 within #9", justOver.get(8));
    }

    // ---- combined policies ----------------------------------------------------------------------

    @Test
    void combinedPolicyAppliesTheRulesInBorgOrder() {
        // last 3: the three newest.
        // daily 7: Mar 31's newest is kept (last) so that day is used up without counting;
        //          then Mar 30, 27, 26, 25, 24, 23, 22.
        // weekly 4: W14, W13 (Mar 27), W12 (Mar 22) have their newest kept already; then W11..W08.
        // monthly 6: March's newest is kept; then Feb, Jan, 2025-12, 2024-06: only 4 more months.
        PrunePlan plan = plan("last=3,daily=7,weekly=4,monthly=6");
        List<String> expected = List.of(
                "i2026-03-31T19:45 last #1",
                "r2026-03-31T18 last #2",
                "r2026-03-31T12 last #3",
                "r2026-03-30T18 daily #1",
                "r2026-03-27T18 daily #2",
                "r2026-03-26T18 daily #3",
                "r2026-03-25T18 daily #4",
                "r2026-03-24T18 daily #5",
                "r2026-03-23T18 daily #6",
                "r2026-03-22T18 daily #7",
                "r2026-03-15T18 weekly #1",
                "r2026-03-08T18 weekly #2",
                "r2026-03-01T18 weekly #3",
                "i2026-02-28T23:59 monthly #1",
                "r2026-02-22T18 weekly #4",
                "r2026-01-31T18 monthly #2",
                "i2025-12-31T12:00 monthly #3",
                "i2024-06-15T12:00 monthly #4");
        assertEquals(expected, kept(plan));
        assertEquals(357 - 18, plan.pruned().size());
        // newest first, in both lists
        assertEquals("i2026-03-31T06:30", plan.pruned().get(0).id());
        assertEquals("r2026-01-01T00", plan.pruned().get(plan.pruned().size() - 1).id());

        // yearly 3 after that finds every year's newest kept already: it adds nothing.
        assertEquals(expected, kept(plan("last=3,daily=7,weekly=4,monthly=6,yearly=3")));
    }

    @Test
    void keepWithinDoesNotCountTowardTheOtherRules() {
        // within keeps 8 (down to Mar 30 12:00); Mar 31's and Mar 30's newest are among them, so
        // daily's 3 are Mar 27, 26, 25.
        assertEquals(List.of(
                "i2026-03-31T19:45 within #1",
                "r2026-03-31T18 within #2",
                "r2026-03-31T12 within #3",
                "i2026-03-31T06:30 within #4",
                "r2026-03-31T06 within #5",
                "r2026-03-31T00 within #6",
                "r2026-03-30T18 within #7",
                "r2026-03-30T12 within #8",
                "r2026-03-27T18 daily #1",
                "r2026-03-26T18 daily #2",
                "r2026-03-25T18 daily #3"), kept(plan("within=PT36H,daily=3")));
    }

    @Test
    void aPeriodWhoseNewestIsAlreadyKeptIsUsedUpWithoutCounting() {
        List<RetentionCandidate> cs = List.of(
                c("a", "2026-03-10T12:00:00Z"),
                c("b", "2026-03-05T12:00:00Z"),
                c("c", "2026-02-10T12:00:00Z"),
                c("d", "2026-01-10T12:00:00Z"));
        // daily keeps a; monthly: March's newest (a) is kept, so March is used up, b is not
        // considered, and the 2 monthly keeps are February and January.
        PrunePlan plan = RetentionPlanner.plan(cs, policy("daily=1,monthly=2"), NOW, UTC);
        assertEquals(List.of("a daily #1", "c monthly #1", "d monthly #2"), kept(plan));
        assertEquals(List.of("b"), prunedIds(plan));
    }

    @Test
    void onlyThePeriodsNewestCandidateDecidesWhetherItIsUsedUp() {
        // Week 2026-W09 runs Mon Feb 23 .. Sun Mar 1, across two months.
        List<RetentionCandidate> cs = List.of(
                c("p", "2026-03-01T12:00:00Z"),   // Sun, W09, March
                c("q", "2026-02-27T12:00:00Z"),   // Fri, W09, February's newest
                c("r", "2026-02-20T12:00:00Z"),   // Fri, W08, February
                c("t", "2026-01-10T12:00:00Z"));  // January
        // weekly keeps p (W09) and r (W08). monthly: March's newest p is kept: used up.
        // February's newest is q, not kept, so monthly keeps it, although r (February) is kept:
        // borg looks at the period's newest candidate only. (Proxmox skips a period holding any
        // kept backup, and would keep t as monthly #1 and nothing else.)
        PrunePlan plan = RetentionPlanner.plan(cs, policy("weekly=2,monthly=2"), NOW, UTC);
        assertEquals(List.of("p weekly #1", "q monthly #1", "r weekly #2", "t monthly #2"), kept(plan));
    }

    // ---- ISO weeks at the year boundary ---------------------------------------------------------

    @Test
    void isoWeeksAtTheYearBoundary() {
        List<RetentionCandidate> cs = List.of(
                c("d2025-12-28", "2025-12-28T12:00:00Z"),   // Sun, 2025-W52
                c("d2025-12-31", "2025-12-31T12:00:00Z"),   // Wed, 2026-W01
                c("d2026-12-27", "2026-12-27T12:00:00Z"),   // Sun, 2026-W52
                c("d2026-12-28", "2026-12-28T12:00:00Z"),   // Mon, 2026-W53
                c("d2026-12-31", "2026-12-31T12:00:00Z"),   // Thu, 2026-W53
                c("d2027-01-01", "2027-01-01T12:00:00Z"),   // Fri, 2026-W53
                c("d2027-01-03", "2027-01-03T12:00:00Z"),   // Sun, 2026-W53
                c("d2027-01-04", "2027-01-04T12:00:00Z"));  // Mon, 2027-W01
        Instant now = Instant.parse("2027-01-05T00:00:00Z");
        assertEquals(List.of(
                "d2027-01-04 weekly #1",
                "d2027-01-03 weekly #2",
                "d2026-12-27 weekly #3",
                "d2025-12-31 weekly #4",
                "d2025-12-28 weekly #5"), kept(RetentionPlanner.plan(cs, policy("weekly=10"), now, UTC)));
        // Years are calendar years, not ISO week-based years.
        assertEquals(List.of(
                "d2027-01-04 yearly #1",
                "d2026-12-31 yearly #2",
                "d2025-12-31 yearly #3"), kept(RetentionPlanner.plan(cs, policy("yearly=10"), now, UTC)));
    }

    @Test
    void newYearsEveAndNewYearsDay2027AreOneIsoWeekButTwoYears() {
        List<RetentionCandidate> cs = List.of(
                c("d2026-12-31", "2026-12-31T12:00:00Z"),
                c("d2027-01-01", "2027-01-01T12:00:00Z"));
        Instant now = Instant.parse("2027-01-02T00:00:00Z");
        assertEquals(List.of("d2027-01-01 weekly #1"),
                kept(RetentionPlanner.plan(cs, policy("weekly=2"), now, UTC)));
        assertEquals(List.of("d2027-01-01 yearly #1", "d2026-12-31 yearly #2"),
                kept(RetentionPlanner.plan(cs, policy("yearly=2"), now, UTC)));
    }

    // ---- time zones and DST ---------------------------------------------------------------------

    @Test
    void daysAndMonthsAreThoseOfTheZoneAcrossTheSpringDstChange() {
        // One snapshot at 12:00Z and one at 22:30Z each day, Mar 26..31 2026. In Berlin 22:30Z is
        // 23:30 the same day before the change (CET, +1) but 00:30 the next day after it (CEST, +2).
        List<RetentionCandidate> cs = new ArrayList<>();
        for (int day = 26; day <= 31; day++) {
            cs.add(c("u03-" + day + "T12:00", "2026-03-" + day + "T12:00:00Z"));
            cs.add(c("u03-" + day + "T22:30", "2026-03-" + day + "T22:30:00Z"));
        }
        Instant now = Instant.parse("2026-04-01T06:00:00Z");
        // Berlin days: Apr 1 {31T22:30}; Mar 31 {30T22:30, 31T12:00}; Mar 30 {29T22:30, 30T12:00};
        // Mar 29 {29T12:00}; Mar 28 {28T12:00, 28T22:30}.
        assertEquals(List.of(
                "u03-31T22:30 daily #1",
                "u03-31T12:00 daily #2",
                "u03-30T12:00 daily #3",
                "u03-29T12:00 daily #4",
                "u03-28T22:30 daily #5"), kept(RetentionPlanner.plan(cs, policy("daily=5"), now, BERLIN)));
        assertEquals(List.of(
                "u03-31T22:30 daily #1",
                "u03-30T22:30 daily #2",
                "u03-29T22:30 daily #3",
                "u03-28T22:30 daily #4",
                "u03-27T22:30 daily #5"), kept(RetentionPlanner.plan(cs, policy("daily=5"), now, UTC)));
        // 31T22:30Z is already April in Berlin.
        assertEquals(List.of("u03-31T22:30 monthly #1", "u03-31T12:00 monthly #2"),
                kept(RetentionPlanner.plan(cs, policy("monthly=2"), now, BERLIN)));
        assertEquals(List.of("u03-31T22:30 monthly #1"),
                kept(RetentionPlanner.plan(cs, policy("monthly=2"), now, UTC)));
    }

    @Test
    void theRepeatedHourWhenClocksGoBackIsOneHourlyPeriod() {
        // Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00Z, so 02:xx local happens twice.
        List<RetentionCandidate> cs = List.of(
                c("u10-24T23:40", "2026-10-24T23:40:00Z"),   // 01:40 CEST
                c("u10-25T00:10", "2026-10-25T00:10:00Z"),   // 02:10 CEST
                c("u10-25T00:50", "2026-10-25T00:50:00Z"),   // 02:50 CEST
                c("u10-25T01:10", "2026-10-25T01:10:00Z"),   // 02:10 CET
                c("u10-25T01:50", "2026-10-25T01:50:00Z"),   // 02:50 CET
                c("u10-25T02:10", "2026-10-25T02:10:00Z"));  // 03:10 CET
        Instant now = Instant.parse("2026-10-25T03:00:00Z");
        assertEquals(List.of(
                "u10-25T02:10 hourly #1",
                "u10-25T01:50 hourly #2",
                "u10-24T23:40 hourly #3"), kept(RetentionPlanner.plan(cs, policy("hourly=3"), now, BERLIN)));
        assertEquals(List.of(
                "u10-25T02:10 hourly #1",
                "u10-25T01:50 hourly #2",
                "u10-25T00:50 hourly #3"), kept(RetentionPlanner.plan(cs, policy("hourly=3"), now, UTC)));
    }

    // ---- ties, order, edge cases ----------------------------------------------------------------

    @Test
    void equalTimesAreOrderedByIdTheGreaterCountingAsNewer() {
        List<RetentionCandidate> cs = List.of(
                c("b", "2026-03-31T12:00:00Z"),
                c("d", "2026-03-31T11:00:00Z"),
                c("a", "2026-03-31T12:00:00Z"),
                c("c", "2026-03-31T12:00:00Z"));
        PrunePlan last2 = RetentionPlanner.plan(cs, policy("last=2"), NOW, UTC);
        assertEquals(List.of("c last #1", "b last #2"), kept(last2));
        assertEquals(List.of("c", "b", "a", "d"), last2.decisions().stream().map(PruneDecision::id).toList());
        assertEquals(List.of("c daily #1"), kept(RetentionPlanner.plan(cs, policy("daily=1"), NOW, UTC)));
        List<RetentionCandidate> reversed = new ArrayList<>(cs);
        Collections.reverse(reversed);
        assertEquals(last2, RetentionPlanner.plan(reversed, policy("last=2"), NOW, UTC));
    }

    @Test
    void thePlanDoesNotDependOnTheInputOrder() {
        List<RetentionCandidate> shuffled = new ArrayList<>(history());
        Collections.shuffle(shuffled, new Random(42));
        RetentionPolicy p = policy("within=PT20H,last=3,hourly=5,daily=7,weekly=4,monthly=6,yearly=3");
        assertEquals(RetentionPlanner.plan(history(), p, NOW, UTC), RetentionPlanner.plan(shuffled, p, NOW, UTC));
    }

    @Test
    void noCandidatesGiveAnEmptyPlan() {
        PrunePlan plan = RetentionPlanner.plan(List.of(), policy("last=3,daily=7"), NOW, UTC);
        assertEquals(List.of(), plan.decisions());
        assertEquals(List.of(), plan.kept());
        assertEquals(List.of(), plan.pruned());
    }

    @Test
    void anEmptyPolicyKeepsEverything() {
        PrunePlan plan = RetentionPlanner.plan(history(), RetentionPolicy.none(), NOW, UTC);
        assertEquals(List.of(), plan.pruned());
        List<String> kept = kept(plan);
        assertEquals(357, kept.size());
        assertEquals("i2026-03-31T19:45 all #1", kept.get(0));
        assertEquals("i2024-06-15T12:00 all #357", kept.get(356));
    }

    @Test
    void duplicateIdsAreRefused() {
        List<RetentionCandidate> cs = List.of(c("a", "2026-03-31T12:00:00Z"), c("a", "2026-03-30T12:00:00Z"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RetentionPlanner.plan(cs, policy("last=1"), NOW, UTC));
        assertTrue(e.getMessage().contains("a"), e.getMessage());
    }

    // ---- the records ----------------------------------------------------------------------------

    @Test
    void negativeOptionsAreRefusedByName() {
        assertRefused("keepLast", () -> new RetentionPolicy(-1, 0, 0, 0, 0, 0, null));
        assertRefused("keepHourly", () -> new RetentionPolicy(0, -1, 0, 0, 0, 0, null));
        assertRefused("keepDaily", () -> new RetentionPolicy(0, 0, -1, 0, 0, 0, null));
        assertRefused("keepWeekly", () -> new RetentionPolicy(0, 0, 0, -1, 0, 0, null));
        assertRefused("keepMonthly", () -> new RetentionPolicy(0, 0, 0, 0, -1, 0, null));
        assertRefused("keepYearly", () -> new RetentionPolicy(0, 0, 0, 0, 0, -1, null));
        assertRefused("keepWithin", () -> new RetentionPolicy(0, 0, 0, 0, 0, 0, Duration.ofHours(-1)));
    }

    @Test
    void zeroAndNullTurnRulesOff() {
        assertTrue(RetentionPolicy.none().isEmpty());
        RetentionPolicy zeroWithin = new RetentionPolicy(0, 0, 0, 0, 0, 0, Duration.ZERO);
        assertTrue(zeroWithin.isEmpty());
        assertEquals(RetentionPolicy.none(), zeroWithin);
        assertFalse(new RetentionPolicy(0, 0, 0, 0, 0, 1, null).isEmpty());
        assertFalse(new RetentionPolicy(0, 0, 0, 0, 0, 0, Duration.ofSeconds(1)).isEmpty());
    }

    @Test
    void decisionsCarryARuleExactlyWhenKept() {
        Instant t = Instant.parse("2026-03-31T12:00:00Z");
        assertThrows(IllegalArgumentException.class, () -> new PruneDecision("a", t, true, null, 1));
        assertThrows(IllegalArgumentException.class, () -> new PruneDecision("a", t, true, "daily", 0));
        assertThrows(IllegalArgumentException.class, () -> new PruneDecision("a", t, false, "daily", 1));
        assertEquals("a 2026-03-31T12:00:00Z daily #3", new PruneDecision("a", t, true, "daily", 3).toString());
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** The main history: see the class comment. */
    private static List<RetentionCandidate> history() {
        List<RetentionCandidate> h = new ArrayList<>();
        for (LocalDate d = LocalDate.of(2026, 1, 1); !d.isAfter(LocalDate.of(2026, 3, 31)); d = d.plusDays(1)) {
            if (d.equals(LocalDate.of(2026, 3, 28)) || d.equals(LocalDate.of(2026, 3, 29))) {
                continue;
            }
            for (int hour = 0; hour < 24; hour += 6) {
                String hh = String.format("%02d", hour);
                h.add(c("r" + d + "T" + hh, d + "T" + hh + ":00:00Z"));
            }
        }
        h.add(c("i2026-03-31T19:45", "2026-03-31T19:45:00Z"));
        h.add(c("i2026-03-31T06:30", "2026-03-31T06:30:00Z"));
        h.add(c("i2026-02-28T23:59", "2026-02-28T23:59:59Z"));
        h.add(c("i2025-12-31T12:00", "2025-12-31T12:00:00Z"));
        h.add(c("i2024-06-15T12:00", "2024-06-15T12:00:00Z"));
        return h;
    }

    private static PrunePlan plan(String policy) {
        return RetentionPlanner.plan(history(), policy(policy), NOW, UTC);
    }

    /** A policy written as Proxmox writes one: {@code last=3,daily=7,within=PT36H}. */
    private static RetentionPolicy policy(String spec) {
        int last = 0, hourly = 0, daily = 0, weekly = 0, monthly = 0, yearly = 0;
        Duration within = null;
        for (String option : spec.split(",")) {
            String[] kv = option.split("=");
            switch (kv[0]) {
                case "last" -> last = Integer.parseInt(kv[1]);
                case "hourly" -> hourly = Integer.parseInt(kv[1]);
                case "daily" -> daily = Integer.parseInt(kv[1]);
                case "weekly" -> weekly = Integer.parseInt(kv[1]);
                case "monthly" -> monthly = Integer.parseInt(kv[1]);
                case "yearly" -> yearly = Integer.parseInt(kv[1]);
                case "within" -> within = Duration.parse(kv[1]);
                default -> throw new IllegalArgumentException(option);
            }
        }
        return new RetentionPolicy(last, hourly, daily, weekly, monthly, yearly, within);
    }

    private static RetentionCandidate c(String id, String time) {
        return new RetentionCandidate(id, Instant.parse(time));
    }

    /** The kept candidates, newest first, as "id rule #index". */
    private static List<String> kept(PrunePlan plan) {
        return plan.kept().stream().map(d -> d.id() + " " + d.rule() + " #" + d.ruleIndex()).toList();
    }

    private static List<String> prunedIds(PrunePlan plan) {
        return plan.pruned().stream().map(PruneDecision::id).toList();
    }

    private static void assertRefused(String option, Runnable make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::run);
        assertTrue(e.getMessage().contains(option), e.getMessage());
    }
}
