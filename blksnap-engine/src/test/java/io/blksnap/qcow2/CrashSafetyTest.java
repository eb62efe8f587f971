package io.blksnap.qcow2;

import io.blksnap.testing.CrashingStorage;
import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stops the engine after every single write of a create, delete and apply, and lets QEMU judge
 * what is left: zero corruptions, leak repair brings it to clean, and the image is either
 * entirely before or entirely after the operation.
 */
class CrashSafetyTest {

    @TempDir
    Path dir;

    interface Op {
        void run(Qcow2Image image) throws Exception;
    }

    static Stream<Arguments> cases() {
        Op create = q -> q.createSnapshot(NewSnapshot.now("new"));
        Op delete = q -> q.deleteSnapshot(SnapshotRef.byName("old"));
        Op apply = q -> q.applySnapshot(SnapshotRef.byName("old"));
        return Stream.of("cluster_size=4096", "cluster_size=65536", "compat=0.10,cluster_size=8192",
                        "cluster_size=16384,extended_l2=on,refcount_bits=64")
                .flatMap(opts -> Stream.of(
                        Arguments.of(opts, "create", create),
                        Arguments.of(opts, "delete", delete),
                        Arguments.of(opts, "apply", apply)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void crashAfterEveryWriteLeavesNoCorruption(String options, String opName, Op op) throws Exception {
        Path pristine = dir.resolve("pristine.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", options, pristine.toString(), "24M").ok();
        Qemu.io(pristine, "write -P 0x41 0 5M", "write -P 0x42 9M 3M", "write -c -P 0x43 16M 1M");
        Qemu.img("snapshot", "-c", "old", pristine.toString()).ok();
        Qemu.io(pristine, "write -P 0x44 1M 2M", "write -z 10M 64k", "write -P 0x45 20M 1M");
        Path rawBefore = Qemu.toRaw(pristine, null, dir);
        List<String> namesBefore = Qemu.snapshotNames(pristine);

        // A run without a fault gives the outcome "after" and the number of writes to cut at.
        Path full = copy(pristine, "full.qcow2");
        AtomicReference<CrashingStorage> counter = new AtomicReference<>();
        try (Qcow2Image q = Qcow2Image.open(full, OpenOptions.readWrite().decorated(s -> {
            CrashingStorage c = new CrashingStorage(s, Long.MAX_VALUE);
            counter.set(c);
            return c;
        }))) {
            op.run(q);
        }
        long writes = counter.get().writes();
        assertTrue(writes > 1, "expected several writes, saw " + writes);
        Path rawAfter = Qemu.toRaw(full, null, dir);
        List<String> namesAfter = Qemu.snapshotNames(full);
        Qemu.assertClean(full);

        for (long k = 0; k < writes; k++) {
            Path img = copy(pristine, "crash-" + k + ".qcow2");
            final long cut = k;
            try (Qcow2Image q = Qcow2Image.open(img,
                    OpenOptions.readWrite().decorated(s -> new CrashingStorage(s, cut)))) {
                assertThrows(CrashingStorage.SimulatedCrash.class, () -> op.run(q), "crash after write " + k);
            } catch (CrashingStorage.SimulatedCrash ignored) {
                // close after a crash may find the storage dead; the file is what matters
            }
            Qemu.Result check = Qemu.check(img);
            assertTrue(check.exit() == 0 || check.exit() == 3,
                    opName + ": after write " + k + " of " + writes + " qemu-img check says:\n" + check.out() + check.err());
            try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
                q.repairLeaks();
            }
            Qemu.assertClean(img);
            List<String> names = Qemu.snapshotNames(img);
            Path raw = Qemu.toRaw(img, null, dir);
            boolean before = names.equals(namesBefore) && Files.mismatch(raw, rawBefore) == -1;
            boolean after = names.equals(namesAfter) && Files.mismatch(raw, rawAfter) == -1;
            assertTrue(before || after, opName + ": after write " + k + " the image is neither before nor after: "
                    + names);
            Files.delete(raw);
            Files.delete(img);
        }
        assertEquals(true, Files.exists(pristine));
    }

    private Path copy(Path from, String name) throws Exception {
        return Files.copy(from, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
