package io.blksnap.txn;

import io.blksnap.qcow2.SnapshotException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SnapshotNamerTest {

    private static final Instant T = Instant.parse("2026-11-26T00:45:07Z");

    @Test
    void expandsTheConversions() throws Exception {
        assertEquals("auto-20261126-004507", new SnapshotNamer("auto-%Y%m%d-%H%M%S", ZoneOffset.UTC).name(T));
        assertEquals("26-330-%-" + T.getEpochSecond(), new SnapshotNamer("%y-%j-%%-%s", ZoneOffset.UTC).name(T));
        assertEquals("daily-2026-11-26T01", new SnapshotNamer("daily-%Y-%m-%dT%H", ZoneId.of("Europe/Berlin")).name(T));
    }

    @Test
    void refusesPatternsThatCannotMakeAName() {
        assertThrows(SnapshotException.class, () -> new SnapshotNamer("bad-%Q", ZoneOffset.UTC));
        assertThrows(SnapshotException.class, () -> new SnapshotNamer("trailing-%", ZoneOffset.UTC));
        assertThrows(SnapshotException.class, () -> new SnapshotNamer("", ZoneOffset.UTC));
        assertThrows(SnapshotException.class, () -> new SnapshotNamer("x".repeat(300), ZoneOffset.UTC));
    }
}
