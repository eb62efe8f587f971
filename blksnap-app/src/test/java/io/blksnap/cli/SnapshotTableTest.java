package io.blksnap.cli;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.TimeZone;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The table's hand padding and dates agree with String.format and DateTimeFormatter, which it avoids. */
class SnapshotTableTest {

    @Test
    void paddingIsFormatsPadding() {
        for (long v : new long[] {0, 7, 42, 999, 1000, 123456, -1, -5, -123, Long.MAX_VALUE, Long.MIN_VALUE}) {
            for (int width : new int[] {2, 3, 4}) {
                assertEquals(String.format(Locale.ROOT, "%0" + width + "d", v), SnapshotTable.zeros(v, width));
            }
        }
        for (String s : new String[] {"", "a", "ten chars!", "more than sixteen chars", "ünï"}) {
            assertEquals(String.format(Locale.ROOT, "%-16s", s), SnapshotTable.left(s, 16));
            assertEquals(String.format(Locale.ROOT, "%8s", s), SnapshotTable.right(s, 8));
        }
    }

    @Test
    void datesAreThoseOfTheZonesRules() {
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
        for (String id : new String[] {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe"}) {
            TimeZone zone = TimeZone.getTimeZone(id);
            // 1970, DST changes in 2024 (either side of Berlin's), a leap day and the last qcow2 second (u32)
            for (long sec : new long[] {0, 1_711_846_799L, 1_711_846_800L, 1_729_990_799L, 1_729_990_800L,
                    951_782_400L, 4_294_967_295L}) {
                assertEquals(f.format(Instant.ofEpochSecond(sec).atZone(zone.toZoneId())), SnapshotTable.date(sec, zone),
                        id + " " + sec);
            }
        }
    }

    @Test
    void clockIsHoursMinutesSecondsMillis() {
        assertEquals("00:00:00.000", SnapshotTable.clock(0));
        assertEquals("01:02:03.004", SnapshotTable.clock(3_723_004_000_000L));
        assertEquals("100:00:00.000", SnapshotTable.clock(360_000_000_000_000L));
    }
}
