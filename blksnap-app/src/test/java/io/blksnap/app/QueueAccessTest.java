package io.blksnap.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Roles nest (reader < backup < admin), come from every role file, and a message without a user is refused. */
class QueueAccessTest {

    @TempDir
    Path dir;

    @Test
    void eachOperationNeedsItsRole() throws Exception {
        Files.writeString(dir.resolve("a.properties"), "blksnap-reader=r, x\nblksnap-backup = b\n");
        Files.writeString(dir.resolve("b.properties"), "blksnap-admin=a\nother=r\n");
        QueueAccess access = new QueueAccess(List.of(dir.resolve("a.properties"), dir.resolve("b.properties"),
                dir.resolve("missing.properties")));
        assertEquals(Set.of("blksnap-reader", "other"), access.roles("r"));
        for (String op : List.of("list", "catalog")) {
            assertDoesNotThrow(() -> access.authorise("r", op));
            assertDoesNotThrow(() -> access.authorise("x", op));
        }
        for (String op : List.of("snapshot", "prune")) {
            assertThrows(AccessDeniedException.class, () -> access.authorise("r", op));
            assertDoesNotThrow(() -> access.authorise("b", op));
        }
        for (String op : List.of("apply", "delete", "undo")) {
            assertThrows(AccessDeniedException.class, () -> access.authorise("b", op));
            assertDoesNotThrow(() -> access.authorise("a", op));
        }
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> access.authorise("nobody", "list"));
        assertTrue(e.getMessage().contains("user nobody may not list"), e.getMessage());
        assertThrows(AccessDeniedException.class, () -> access.authorise(null, "list"));
        assertThrows(AccessDeniedException.class, () -> access.authorise("", "list"));
    }
}
