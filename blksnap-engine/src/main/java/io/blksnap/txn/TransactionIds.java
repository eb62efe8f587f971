package io.blksnap.txn;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Transaction ids that sort by time and are safe as file names: {@code tx-20261126-004500-1a2b3c}.
 *
 * <p>The random part only tells apart ids of the same second (each journal file is created
 * exclusively), so it needs no SecureRandom; written by hand: SecureRandom's provider set-up,
 * DateTimeFormatter and String.format cost each short-lived {@code ./blksnap} transaction about
 * 70 ms of start-up.
 */
final class TransactionIds {

    private TransactionIds() {
    }

    static String next() {
        LocalDateTime t = LocalDateTime.now(ZoneOffset.UTC);
        return "tx-" + t.getYear() + two(t.getMonthValue()) + two(t.getDayOfMonth()) + "-" + two(t.getHour())
                + two(t.getMinute()) + two(t.getSecond()) + "-"
                + Integer.toHexString((1 << 24) | ThreadLocalRandom.current().nextInt(1 << 24)).substring(1);
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }
}
