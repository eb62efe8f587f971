package io.blksnap.txn;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

class TransactionIdsTest {

    @Test
    void idsCarryTheUtcSecondAndSixHexDigits() {
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String before = "tx-" + f.format(LocalDateTime.now(ZoneOffset.UTC));
            String id = TransactionIds.next();
            String after = "tx-" + f.format(LocalDateTime.now(ZoneOffset.UTC));
            assertTrue(id.matches("tx-[0-9]{8}-[0-9]{6}-[0-9a-f]{6}"), id);
            String time = id.substring(0, id.length() - 7);
            assertTrue(time.compareTo(before) >= 0 && time.compareTo(after) <= 0, id + " not between " + before + " and " + after);
            seen.add(id);
        }
        // 24 random bits: 100 ids within a few seconds all differ but for a rare collision
        assertTrue(seen.size() >= 99, seen.size() + " distinct");
    }
}
