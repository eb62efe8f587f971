package io.blksnap.group;

import io.blksnap.qcow2.SnapshotNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupSnapshotNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"nightly-1", "a", "auto-20261126-120000", "v1.2_x", "9"})
    void fileSafeNamesPass(String name) {
        assertDoesNotThrow(() -> GroupSnapshotNames.checkFileSafe(name));
        assertDoesNotThrow(() -> GroupSnapshotNames.check(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "/abs", ".hidden", "-opt", "_x", "a b", "a\nb", "a/b", "é", ""})
    void namesThatAreNoPlainFileNamePartAreRefused(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GroupSnapshotNames.checkFileSafe(name));
        assertTrue(e.getMessage().startsWith("illegal snapshot name"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "the echo carries no control character");
    }

    @Test
    void theFileSafeRuleBoundsTheLength() {
        assertDoesNotThrow(() -> GroupSnapshotNames.checkFileSafe("x".repeat(GroupSnapshotNames.MAX_FILE_SAFE_LENGTH)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GroupSnapshotNames.checkFileSafe("x".repeat(GroupSnapshotNames.MAX_FILE_SAFE_LENGTH + 1)));
        assertTrue(e.getMessage().length() < 300, "a long name is not echoed whole");
    }

    @Test
    void anyGroupSnapshotNameFollowsQcow2sLimits() {
        assertDoesNotThrow(() -> GroupSnapshotNames.check("a name: with spaces"));
        assertThrows(IllegalArgumentException.class, () -> GroupSnapshotNames.check(""));
        assertThrows(IllegalArgumentException.class, () -> GroupSnapshotNames.check("a\tb"));
        assertThrows(IllegalArgumentException.class,
                () -> GroupSnapshotNames.check("x".repeat(SnapshotNames.MAX_NAME_BYTES + 1)));
    }
}
