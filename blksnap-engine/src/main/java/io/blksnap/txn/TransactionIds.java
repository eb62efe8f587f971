package io.blksnap.txn;

import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** Transaction ids that sort by time and are safe as file names: {@code tx-20261126-004500-1a2b3c}. */
final class TransactionIds {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final SecureRandom RANDOM = new SecureRandom();

    private TransactionIds() {
    }

    static String next() {
        return "tx-" + TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-"
                + String.format("%06x", RANDOM.nextInt(1 << 24));
    }
}
