package io.blksnap.retention;

import java.time.Duration;

/**
 * A retention policy: the {@code keep-within}, {@code keep-last}, {@code keep-hourly} ...
 * {@code keep-yearly} options of borg prune and Proxmox prune-backups. A count of 0, or a null (or
 * zero) {@code keepWithin}, turns that rule off; a zero {@code keepWithin} is stored as null, so
 * equal policies compare equal.
 *
 * <p>A policy with every rule off is representable (it is what "no options given" means), but it
 * decides nothing: {@link RetentionPlanner} keeps everything under it rather than prune everything.
 * Callers that would rather refuse such a request ask {@link #isEmpty()}.
 *
 * @param keepLast    the newest N snapshots
 * @param keepHourly  the newest snapshot of each of the newest N hours that have one
 * @param keepDaily   likewise per day
 * @param keepWeekly  likewise per ISO week (Monday to Sunday, week-based year)
 * @param keepMonthly likewise per month
 * @param keepYearly  likewise per year
 * @param keepWithin  every snapshot newer than {@code now - keepWithin}
 */
public record RetentionPolicy(int keepLast, int keepHourly, int keepDaily, int keepWeekly, int keepMonthly,
                              int keepYearly, Duration keepWithin) {

    private static final RetentionPolicy NONE = new RetentionPolicy(0, 0, 0, 0, 0, 0, null);

    /**
     * @throws IllegalArgumentException naming the option, if a count or keepWithin is negative
     */
    public RetentionPolicy {
        requireNotNegative("keepLast", keepLast);
        requireNotNegative("keepHourly", keepHourly);
        requireNotNegative("keepDaily", keepDaily);
        requireNotNegative("keepWeekly", keepWeekly);
        requireNotNegative("keepMonthly", keepMonthly);
        requireNotNegative("keepYearly", keepYearly);
        if (keepWithin != null && keepWithin.isNegative()) {
            throw new IllegalArgumentException("keepWithin must not be negative, was " + keepWithin);
        }
        if (keepWithin != null && keepWithin.isZero()) {
            keepWithin = null;
        }
    }

    /** The policy with every rule off (see {@link #isEmpty()}). */
    public static RetentionPolicy none() {
        return NONE;
    }

    /** True when every rule is off: such a policy would, taken literally, prune every snapshot. */
    public boolean isEmpty() {
        return keepLast == 0 && keepHourly == 0 && keepDaily == 0 && keepWeekly == 0 && keepMonthly == 0
                && keepYearly == 0 && keepWithin == null;
    }

    private static void requireNotNegative(String option, int count) {
        if (count < 0) {
            // borg reads a negative count as "no limit"; here it is refused so that a typo cannot
            // silently keep everything, nor be mistaken for "off".
            throw new IllegalArgumentException(option + " must be 0 (off) or positive, was " + count);
        }
    }
}
