package io.blksnap.retention;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar (for {@code keepWithin} wherever it is given): as people write them, {@code 7d},
 * {@code 12h}, {@code 1w2d}, {@code 90m}, {@code 30s} (units in this order, each at most once), or ISO-8601
 * ({@code P7D}, {@code PT12H}). Never negative.
 */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");
    private static final long[] UNIT_SECONDS = {7 * 86400L, 86400L, 3600L, 60L, 1L};

    private Durations() {
    }

    /** @throws IllegalArgumentException saying what is expected, when {@code text} is not a duration */
    public static Duration parse(String text) {
        String s = text.trim();
        try {
            if (s.startsWith("P") || s.startsWith("p") || s.startsWith("-P")) {
                try {
                    return nonNegative(Duration.parse(s));
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("not an ISO-8601 duration", e);
                }
            }
            Matcher m = SHORT.matcher(s);
            if (s.isEmpty() || !m.matches()) {
                throw new IllegalArgumentException("expected a duration such as 7d, 12h, 1w2d, 90m, 30s, P7D or PT12H");
            }
            Duration d = Duration.ZERO;
            for (int i = 0; i < UNIT_SECONDS.length; i++) {
                if (m.group(i + 1) != null) {
                    d = d.plus(Duration.ofSeconds(Math.multiplyExact(UNIT_SECONDS[i], Long.parseLong(m.group(i + 1)))));
                }
            }
            return d;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration too long", e);
        }
    }

    private static Duration nonNegative(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("must not be negative");
        }
        return d;
    }
}
