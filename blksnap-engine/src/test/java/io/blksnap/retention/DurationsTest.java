package io.blksnap.retention;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DurationsTest {

    @Test
    void shortFormsAndIso() {
        assertEquals(Duration.ofDays(7), Durations.parse("7d"));
        assertEquals(Duration.ofHours(12), Durations.parse("12h"));
        assertEquals(Duration.ofDays(9), Durations.parse("1w2d"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("90m"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(Duration.ofDays(1).plusHours(2).plusMinutes(3).plusSeconds(4), Durations.parse(" 1d2h3m4s "));
        assertEquals(Duration.ofDays(7), Durations.parse("P7D"));
        assertEquals(Duration.ofHours(12), Durations.parse("PT12H"));
        assertEquals(Duration.ZERO, Durations.parse("0s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "banana", "7", "d", "2d1w", "7d7d", "-7d", "-P7D", "P", "7 d", "1.5h",
        "99999999999999999999d", "999999999999999w"})
    void everythingElseIsRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    }
}
