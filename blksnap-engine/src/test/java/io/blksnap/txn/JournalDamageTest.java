package io.blksnap.txn;

import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery never guesses over a damaged journal. A group snapshot of four devices is halted (a
 * real process, {@link CrashChild}) after two devices have the new snapshot written (not switched); its journal is then
 * damaged in the ways a disk or an operator can. Only a torn last record counts as the crash it
 * looks like; any other damage leaves the transaction pending, the journal in place and every
 * image byte for byte as it was, and says which file is at fault.
 */
class JournalDamageTest {

    @TempDir
    Path dir;

    private GroupFixture f;
    private Path journal;

    /** Point 3 of a one-at-a-time transaction is "prepared:1": disk0 and disk1 have "new" written, not switched. */
    @BeforeEach
    void haltAfterTwoOfFourPrepared() throws Exception {
        f = new GroupFixture(dir, 4, "8M", true);
        CrashChild.runHalting(dir, "once", "create", "point:3");
        // prepared is written, not switched: no image shows "new" before the commit record
        assertEquals(List.of(), Qemu.snapshotNames(f.image("disk1")));
        assertEquals(List.of(), Qemu.snapshotNames(f.image("disk2")));
        try (Stream<Path> s = Files.list(dir.resolve("state/journal"))) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), files.toString());
            journal = files.get(0);
        }
    }

    @Test
    void aTornLastRecordIsTheCrashAndIsRolledBack() throws Exception {
        byte[] bytes = Files.readAllBytes(journal);
        Files.write(journal, java.util.Arrays.copyOf(bytes, bytes.length - 7)); // the last record half written
        try (SnapshotEngine engine = f.engine()) {
            assertEquals(List.of(), engine.startupRecovery().pending());
            assertEquals(TransactionStatus.ROLLED_BACK, engine.startupRecovery().resolved().get(0).status());
        }
        for (String d : f.devices) {
            assertEquals(List.of(), Qemu.snapshotNames(f.image(d)), d);
            Qemu.assertClean(f.image(d));
        }
    }

    @Test
    void aJournalTruncatedToNothingIsKeptAndNothingIsTouched() throws Exception {
        assertPendingAndUntouched(new byte[0], "no intact begin record");
    }

    @Test
    void garbageWithoutANewlineIsKeptAndNothingIsTouched() throws Exception {
        assertPendingAndUntouched("\u0000\u0001 not a journal at all".getBytes(StandardCharsets.UTF_8),
                "no intact begin record");
    }

    @Test
    void aChangedByteInAnEarlierRecordIsDamage() throws Exception {
        byte[] bytes = Files.readAllBytes(journal);
        int i = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("disk3");
        bytes[i + 4] = '9'; // the intent now names disk9: a checksum, not luck, catches it
        assertPendingAndUntouched(bytes, "record 1 is not as written");
    }

    @Test
    void aMissingRecordBetweenOthersIsDamage() throws Exception {
        List<String> lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
        assertTrue(lines.size() >= 3, lines.toString());
        lines.set(1, lines.get(1).replace("CREATED", "CREATEX"));
        assertPendingAndUntouched((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8),
                "record 2 is not as written");
    }

    private Map<String, String> hashes() throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String d : f.devices) {
            out.put(d, Hashes.sha256(f.image(d)));
        }
        return out;
    }

    private void assertPendingAndUntouched(byte[] damaged, String why) throws Exception {
        Files.write(journal, damaged);
        Map<String, String> before = hashes();
        for (int run = 0; run < 2; run++) { // and again: a second recovery does not give up and guess
            try (SnapshotEngine engine = f.engine()) {
                List<String> pending = engine.startupRecovery().pending();
                assertEquals(1, pending.size(), pending.toString());
                assertTrue(pending.get(0).contains(journal.toString()) && pending.get(0).contains(why), pending.get(0));
                assertEquals(List.of(), engine.startupRecovery().resolved());
            }
        }
        assertEquals(before, hashes(), "an image changed");
        assertTrue(Files.exists(journal), "the damaged journal was removed");
        byte[] after = Files.readAllBytes(journal);
        assertEquals(new String(damaged, StandardCharsets.ISO_8859_1), new String(after, StandardCharsets.ISO_8859_1),
                "the damaged journal was changed");
    }
}
