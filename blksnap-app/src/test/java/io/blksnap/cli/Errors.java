package io.blksnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The error contract: exit 1, one line {@code blksnap: IMAGE: reason} on stderr. */
final class Errors {

    private Errors() {
    }

    /** Asserts the failure contract and returns the reason. */
    static String assertOneLine(Blksnap.Run r, String image) {
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().lines().count(), "exactly one line on stderr:\n" + r.err());
        String prefix = "blksnap: " + image + ": ";
        assertTrue(r.err().startsWith(prefix), r.err());
        String reason = r.err().strip().substring(prefix.length());
        assertTrue(!reason.isBlank(), r.err());
        return reason;
    }
}
