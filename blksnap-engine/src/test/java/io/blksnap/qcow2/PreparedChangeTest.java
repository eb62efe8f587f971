package io.blksnap.qcow2;

import io.blksnap.testing.CrashingStorage;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.WriteHookStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A prepared change writes everything and switches nothing: until its commit QEMU sees the image
 * as it was, its abort leaves the file byte for byte as it was (length included, also where the
 * change reused free clusters inside the file), and changes prepared on one image build on each
 * other, every intermediate state clean.
 */
class PreparedChangeTest {

    @TempDir
    Path dir;

    /**
     * Snapshots A and B with data written between and after them, then A deleted by qemu-img: its
     * clusters are free inside the file (stale bytes or holes), where a change allocates first.
     */
    private Path image(String name) throws Exception {
        Path img = dir.resolve(name);
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", img.toString(), "16M").ok();
        Qemu.io(img, "write -P 0x11 0 2M");
        Qemu.img("snapshot", "-c", "A", img.toString()).ok();
        Qemu.io(img, "write -P 0x22 0 1M");
        Qemu.img("snapshot", "-c", "B", img.toString()).ok();
        Qemu.io(img, "write -P 0x33 512k 1M");
        Qemu.img("snapshot", "-c", "C", img.toString()).ok();
        Qemu.io(img, "write -P 0x44 1M 1M");
        Qemu.img("snapshot", "-d", "A", img.toString()).ok();
        return img;
    }

    private interface Prepare {
        PreparedChange run(Qcow2Image q) throws IOException;
    }

    private static Prepare op(String op) {
        return switch (op) {
            case "create" -> q -> q.prepareCreate(NewSnapshot.now("X"));
            case "delete" -> q -> q.prepareDelete(SnapshotRef.byName("B"));
            default -> q -> q.prepareApply(SnapshotRef.byName("B"));
        };
    }

    private static String fingerprint(Path p) throws IOException {
        return Files.size(p) + " " + Hashes.sha256(p);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"create", "delete", "apply"})
    void abortLeavesTheFileByteForByte(String op) throws Exception {
        Path img = image("a.qcow2");
        String before = fingerprint(img);
        Path raw = Qemu.toRaw(img, null, dir);
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            PreparedChange p = op(op).run(q);
            assertNotEquals(before, fingerprint(img), "the prepare wrote nothing: the abort proves nothing");
            assertEquals(List.of("B", "C"), Qemu.snapshotNames(img), "a prepared change is visible");
            assertEquals(-1, Files.mismatch(raw, Qemu.toRaw(img, null, dir)), "a prepared change is visible");
            assertEquals(2, q.snapshots().size());
            p.abort();
        }
        assertEquals(before, fingerprint(img));
        Qemu.assertClean(img);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"create", "delete", "apply"})
    void commitIsTheOneShotChange(String op) throws Exception {
        Path prepared = image("p.qcow2");
        Path oneShot = dir.resolve("o.qcow2");
        Files.copy(prepared, oneShot, StandardCopyOption.REPLACE_EXISTING);
        AtomicLong writesAfterPrepare = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        try (Qcow2Image q = Qcow2Image.open(prepared, OpenOptions.readWrite().decorated(s ->
                new WriteHookStorage(s, (o, d) -> writes.incrementAndGet())))) {
            PreparedChange p = op(op).run(q);
            writesAfterPrepare.set(writes.get());
            p.commit();
        }
        assertEquals(1, writes.get() - writesAfterPrepare.get(), "the commit is one header write");
        try (Qcow2Image q = Qcow2Image.openForWrite(oneShot)) {
            switch (op) {
                case "create" -> q.createSnapshot(NewSnapshot.now("X"));
                case "delete" -> q.deleteSnapshot(SnapshotRef.byName("B"));
                default -> q.applySnapshot(SnapshotRef.byName("B"));
            }
        }
        Qemu.assertClean(prepared);
        assertEquals(Qemu.snapshotNames(oneShot), Qemu.snapshotNames(prepared));
        assertEquals(-1, Files.mismatch(Qemu.toRaw(oneShot, null, dir), Qemu.toRaw(prepared, null, dir)));
    }

    /** A prepare that fails at any one of its writes leaves the file as it was. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"create", "delete", "apply"})
    void aPrepareFailingAtAnyWriteLeavesTheFile(String op) throws Exception {
        Path pristine = image("pristine.qcow2");
        String before = fingerprint(pristine);
        AtomicReference<CrashingStorage> counter = new AtomicReference<>();
        Path full = dir.resolve("full.qcow2");
        Files.copy(pristine, full);
        try (Qcow2Image q = Qcow2Image.open(full, OpenOptions.readWrite().decorated(s -> {
            CrashingStorage c = new CrashingStorage(s, Long.MAX_VALUE);
            counter.set(c);
            return c;
        }))) {
            op(op).run(q);
        }
        long writes = counter.get().writes();
        assertTrue(writes > 1, "expected several writes, saw " + writes);
        for (long k = 0; k < writes; k++) {
            Path img = dir.resolve("fail-" + k + ".qcow2");
            Files.copy(pristine, img);
            long failAt = k;
            AtomicLong seen = new AtomicLong();
            try (Qcow2Image q = Qcow2Image.open(img, OpenOptions.readWrite().decorated(s ->
                    new WriteHookStorage(s, (o, d) -> {
                        if (seen.getAndIncrement() == failAt) {
                            throw new IOException("No space left on device (injected)");
                        }
                    })))) {
                assertThrows(IOException.class, () -> op(op).run(q), "failure at write " + k);
            }
            assertEquals(before, fingerprint(img), "failure at write " + k);
            Files.delete(img);
        }
    }

    /**
     * Two deletions prepared on one image: the second builds on the first without touching a
     * cluster the image or the first still uses, so every state a crash can leave is clean.
     */
    @Test
    void changesPreparedOnOneImageChain() throws Exception {
        Path img = image("chain.qcow2");
        Qemu.io(img, "write -P 0x55 4M 1M");
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.prepareDelete(SnapshotRef.byName("B"));
            PreparedChange second = q.prepareDelete(SnapshotRef.byName("C"));
            assertThrows(SnapshotException.class, () -> q.prepareDelete(SnapshotRef.byName("B")),
                    "the second builds on the first, where B is gone");
            second.abort();
            assertThrows(IllegalStateException.class, second::abort);
        }
        // the first was never committed nor aborted: nothing switched
        Qemu.assertClean(img);
        assertEquals(List.of("B", "C"), Qemu.snapshotNames(img));

        String before = fingerprint(img);
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            PreparedChange first = q.prepareDelete(SnapshotRef.byName("B"));
            PreparedChange second = q.prepareCreate(NewSnapshot.now("X"));
            PreparedChange third = q.prepareDelete(SnapshotRef.byName("C"));
            assertThrows(IllegalStateException.class, second::commit, "commits go in prepare order");
            third.abort();
            second.abort();
            first.abort();
        }
        assertEquals(before, fingerprint(img), "aborting a chain last first restores every byte");

        Path half = dir.resolve("half.qcow2");
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            PreparedChange first = q.prepareDelete(SnapshotRef.byName("B"));
            PreparedChange second = q.prepareCreate(NewSnapshot.now("X"));
            PreparedChange third = q.prepareDelete(SnapshotRef.byName("C"));
            first.commit();
            Files.copy(img, half); // a crash between the switches
            second.commit();
            third.commit();
        }
        Qemu.assertClean(half);
        assertEquals(List.of("C"), Qemu.snapshotNames(half));
        Qemu.assertClean(img);
        assertEquals(List.of("X"), Qemu.snapshotNames(img));
        assertEquals(-1, Files.mismatch(Qemu.toRaw(half, null, dir), Qemu.toRaw(img, "X", dir)));
        assertEquals(-1, Files.mismatch(Qemu.toRaw(img, null, dir), Qemu.toRaw(img, "X", dir)));
    }
}
