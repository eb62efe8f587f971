package io.blksnap.txn;

import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Undo of a transaction, reverting a group, and several deletions on one device at once. */
class UndoAndApplyTest {

    @TempDir
    Path dir;

    private static TransactionResult snapshotAll(SnapshotEngine engine, GroupFixture f, String name) throws Exception {
        Transaction t = engine.begin();
        for (String d : f.devices) {
            t.add(InternalSnapshotRequest.create(d, name, Instant.now()));
        }
        return t.submit();
    }

    @Test
    void undoRemovesWhatATransactionMadeAndIsIdempotent() throws Exception {
        GroupFixture f = new GroupFixture(dir, 3);
        try (SnapshotEngine engine = f.engine()) {
            snapshotAll(engine, f, "keep");
            TransactionResult made = snapshotAll(engine, f, "undo-me");
            TransactionResult undone = engine.undo(made.id());
            assertEquals(TransactionStatus.COMMITTED, undone.status());
            assertEquals(3, undone.outcomes().size());
            for (String d : f.devices) {
                assertEquals(List.of("keep"), Qemu.snapshotNames(f.image(d)));
            }
            TransactionResult again = engine.undo(made.id());
            assertEquals(0, again.outcomes().size());
            assertTrue(again.reason().contains("already undone"), again.reason());

            // a later snapshot that reuses the name is not the undone one: it stays
            snapshotAll(engine, f, "undo-me");
            assertEquals(0, engine.undo(made.id()).outcomes().size());
            assertEquals(List.of("keep", "undo-me"), Qemu.snapshotNames(f.image("disk0")));

            InvalidRequestException unknown = assertThrows(InvalidRequestException.class, () -> engine.undo("tx-nope"));
            assertTrue(unknown.getMessage().contains("unknown transaction"));
            Transaction del = engine.begin().add(InternalSnapshotRequest.delete("disk0", "keep"));
            String delId = del.submit().id();
            InvalidRequestException irreversible = assertThrows(InvalidRequestException.class, () -> engine.undo(delId));
            assertTrue(irreversible.getMessage().contains("cannot be undone"));
        }
        f.assertAllClean();
    }

    @Test
    void undoOfAnAbortedTransactionChangesNothing() throws Exception {
        GroupFixture f = new GroupFixture(dir, 2);
        try (SnapshotEngine engine = f.engine()) {
            Transaction t = engine.begin()
                    .add(InternalSnapshotRequest.create("disk0", "a", Instant.now()))
                    .add(InternalSnapshotRequest.create("disk1", "a", Instant.now()));
            Files.delete(f.image("disk1")); // disappears between add and submit: prepare fails
            TransactionResult r = t.submit();
            assertEquals(TransactionStatus.ABORTED, r.status());
            TransactionResult u = engine.undo(r.id());
            assertEquals(0, u.outcomes().size());
            assertEquals(List.of(), Qemu.snapshotNames(f.image("disk0")));
        }
    }

    @Test
    void revertingAGroupRestoresEveryDevice() throws Exception {
        GroupFixture f = new GroupFixture(dir, 3);
        try (SnapshotEngine engine = f.engine()) {
            snapshotAll(engine, f, "base");
            java.util.Map<String, Path> raws = new java.util.HashMap<>();
            for (String d : f.devices) {
                raws.put(d, Qemu.toRaw(f.image(d), null, dir));
                Qemu.io(f.image(d), "write -P 0xee 0 2M");
            }
            Transaction t = engine.begin();
            for (String d : f.devices) {
                t.add(InternalSnapshotRequest.apply(d, "base"));
            }
            assertEquals(TransactionStatus.COMMITTED, t.submit().status());
            for (String d : f.devices) {
                assertEquals(-1L, Files.mismatch(raws.get(d), Qemu.toRaw(f.image(d), null, dir)), d);
            }
            // a missing snapshot on one device means no device reverts
            Qemu.io(f.image("disk0"), "write -P 0xdd 0 1M");
            Path changed = Qemu.toRaw(f.image("disk0"), null, dir);
            Transaction bad = engine.begin().add(InternalSnapshotRequest.apply("disk0", "base"));
            Qemu.img("snapshot", "-c", "only-here", f.image("disk1").toString()).ok();
            bad.add(InternalSnapshotRequest.apply("disk1", "only-here"));
            Qemu.img("snapshot", "-d", "only-here", f.image("disk1").toString()).ok();
            assertEquals(TransactionStatus.ABORTED, bad.submit().status());
            assertEquals(-1L, Files.mismatch(changed, Qemu.toRaw(f.image("disk0"), null, dir)));
        }
        f.assertAllClean();
    }

    @Test
    void severalDeletionsOnOneDeviceInOneTransaction() throws Exception {
        GroupFixture f = new GroupFixture(dir, 2);
        try (SnapshotEngine engine = f.engine()) {
            for (String n : new String[] {"a", "b", "c"}) {
                snapshotAll(engine, f, n);
            }
            Transaction t = engine.begin();
            for (String d : f.devices) {
                t.add(InternalSnapshotRequest.delete(d, "a")).add(InternalSnapshotRequest.delete(d, "c"));
            }
            assertThrows(InvalidRequestException.class, () -> t.add(InternalSnapshotRequest.delete("disk0", "a")));
            assertThrows(InvalidRequestException.class, () -> t.add(InternalSnapshotRequest.create("disk0", "z", Instant.now())));
            TransactionResult r = t.submit();
            assertEquals(TransactionStatus.COMMITTED, r.status());
            for (String d : f.devices) {
                assertEquals(List.of("b"), Qemu.snapshotNames(f.image(d)));
            }
        }
        f.assertAllClean();
    }
}
