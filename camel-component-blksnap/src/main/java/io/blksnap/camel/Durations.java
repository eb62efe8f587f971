package io.blksnap.camel;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them: {@code 7d}, {@code 12h}, {@code 1w2d}, {@code 90m}, {@code 30s}, or ISO-8601. */
final class Durations {

    private static final Pattern SHORT = Pattern.compile("(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    private Durations() {
    }

    static Duration parse(String text) {
        String s = text.trim();
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
        long[] seconds = {7 * 86400L, 86400L, 3600L, 60L, 1L};
        for (int i = 0; i < 5; i++) {
            if (m.group(i + 1) != null) {
                d = d.plus(Duration.ofSeconds(seconds[i]).multipliedBy(Long.parseLong(m.group(i + 1))));
            }
        }
        return d;
    }

    private static Duration nonNegative(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("must not be negative");
        }
        return d;
    }
}
