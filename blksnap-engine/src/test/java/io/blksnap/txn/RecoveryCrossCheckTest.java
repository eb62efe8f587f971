package io.blksnap.txn;

import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery asks the images before it acts. A group deletion of "old" on four devices is halted (a
 * real process, {@link CrashChild}) after its commit record, with the deletion switched in on
 * disk0 and disk1 only.
 */
class RecoveryCrossCheckTest {

    @TempDir
    Path dir;

    private GroupFixture f;
    private Path journal;

    /** Points of a one-at-a-time transaction of four: begin, prepared:0..3, commit, committed:0, committed:1 = 8. */
    @BeforeEach
    void haltAfterTwoOfFourDeleted() throws Exception {
        f = new GroupFixture(dir, 4, "8M", true);
        for (String d : f.devices) {
            Qemu.img("snapshot", "-c", "old", f.image(d).toString()).ok();
        }
        String log = CrashChild.runHalting(dir, "once", "delete", "point:8");
        assertTrue(log.contains("point 8 committed:1"), log);
        assertEquals(List.of(), Qemu.snapshotNames(f.image("disk1")));
        assertEquals(List.of("old"), Qemu.snapshotNames(f.image("disk2")));
        try (Stream<Path> s = Files.list(dir.resolve("state/journal"))) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), files.toString());
            journal = files.get(0);
        }
    }

    /** Issue 9, 6a: the commit record lost, the deletions on disk0 and disk1 prove it was reached. */
    @Test
    void aChangeAlreadyMadeProvesTheCommitWithoutItsRecord() throws Exception {
        List<String> lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
        assertTrue(lines.get(lines.size() - 1).contains("commit"), lines.toString());
        Files.write(journal, (String.join("\n", lines.subList(0, lines.size() - 1)) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        try (SnapshotEngine engine = f.engine()) {
            RecoveryReport report = engine.startupRecovery();
            assertEquals(List.of(), report.pending());
            assertEquals(TransactionStatus.ROLLED_FORWARD, report.resolved().get(0).status());
            assertTrue(report.resolved().get(0).reason().contains("commit was reached"),
                    report.resolved().get(0).reason());
        }
        for (String d : f.devices) {
            assertEquals(List.of(), Qemu.snapshotNames(f.image(d)), d);
            Qemu.assertClean(f.image(d));
        }
    }

    /**
     * Issue 9, 6c: a device recovery cannot reach does not stop it on the others; it is named,
     * and the journal stays until a later recovery resolves it too.
     */
    @Test
    void recoveryGoesOnPastADeviceItCannotReachAndNamesIt() throws Exception {
        Path away = dir.resolve("away.qcow2");
        Files.move(f.image("disk2"), away);
        try (SnapshotEngine engine = f.engine()) {
            RecoveryReport report = engine.startupRecovery();
            assertEquals(List.of(), report.resolved());
            assertEquals(1, report.pending().size(), report.pending().toString());
            String why = report.pending().get(0);
            assertTrue(why.contains("disk2") && !why.contains("disk3:"), why);
        }
        assertEquals(List.of(), Qemu.snapshotNames(f.image("disk3")), "recovery stopped at disk2");
        assertTrue(Files.exists(journal), "the journal of an unresolved transaction was removed");
        Files.move(away, f.image("disk2"));
        try (SnapshotEngine engine = f.engine()) {
            RecoveryReport report = engine.startupRecovery();
            assertEquals(List.of(), report.pending());
            assertEquals(TransactionStatus.ROLLED_FORWARD, report.resolved().get(0).status());
        }
        for (String d : f.devices) {
            assertEquals(List.of(), Qemu.snapshotNames(f.image(d)), d);
            Qemu.assertClean(f.image(d));
        }
    }
}
