package io.blksnap.txn;

import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.storage.Storage;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.WriteHookStorage;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.RamTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Group transactions with one failure injected at every step in turn: an IOException from
 * {@link FaultInjector#at} at every prepare, undo, commit and journal point, and from the image
 * storage at every write of the prepare, commit and undo phases. Afterwards (and after
 * {@code recover()} when the failure left the journal unfinished) the transaction happened on
 * every device or on none, and QEMU finds every image and overlay clean.
 */
class TransactionFaultTest {

    /** One fixed time for every snapshot made, so equal operations give byte-equal images. */
    private static final Instant TIME = Instant.parse("2025-03-04T05:06:07.123456789Z");

    @TempDir(factory = RamTempDir.class)
    Path dir;

    private GroupFixture f;
    private Path pristine;
    private int n;
    private String shape;

    enum Expect { ALL, NONE }

    /** Injects IOExceptions at named points and at chosen image writes (0-based, across all images). */
    static final class Faults implements FaultInjector {
        final Set<String> failAt;
        final long failWrite;
        final boolean persistent;
        volatile boolean armed = true;
        final AtomicLong writes = new AtomicLong();
        final List<String> points = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Long> writesAtPoint = new ConcurrentHashMap<>();

        Faults(Set<String> failAt, long failWrite, boolean persistent) {
            this.failAt = failAt;
            this.failWrite = failWrite;
            this.persistent = persistent;
        }

        static Faults none() {
            return new Faults(Set.of(), -1, false);
        }

        @Override
        public void at(String point) throws IOException {
            if (!armed) {
                return;
            }
            points.add(point);
            writesAtPoint.put(point, writes.get());
            if (failAt.contains(point)) {
                throw new IOException("injected failure at " + point);
            }
        }

        @Override
        public Storage wrap(Storage s) {
            return new WriteHookStorage(s, (offset, data) -> {
                if (armed) {
                    long k = writes.getAndIncrement();
                    if (failWrite >= 0 && (k == failWrite || (persistent && k > failWrite))) {
                        throw new IOException("injected failure of image write " + k);
                    }
                }
            });
        }
    }

    record Case(String label, Faults faults, Expect expect) {
    }

    static Stream<Arguments> groups() {
        return Stream.of(
                Arguments.of("create", 1), Arguments.of("delete", 1), Arguments.of("external", 1),
                Arguments.of("create", 3), Arguments.of("delete", 3), Arguments.of("external", 3),
                Arguments.of("existing", 3), Arguments.of("mixed", 4), Arguments.of("mixed", 16));
    }

    @Execution(ExecutionMode.CONCURRENT)
    @ParameterizedTest(name = "{0} on {1} images")
    @MethodSource("groups")
    void everyFailureLeavesAllOrNothing(String shape, int n) throws Exception {
        this.shape = shape;
        this.n = n;
        setUpFixture();
        long started = System.nanoTime();

        Faults ok = Faults.none();
        runCase(new Case("no fault", ok, Expect.ALL));
        List<String> okPoints = List.copyOf(new LinkedHashSet<>(ok.points));
        long okWrites = ok.writes.get();
        long commitWrites = ok.writesAtPoint.get("commit");

        String last = "prepared:" + (n - 1);
        Faults aborting = new Faults(Set.of(last), -1, false);
        runCase(new Case("failure at " + last, aborting, Expect.NONE));
        List<String> undoPoints = aborting.points.stream().filter(p -> p.startsWith("undone:")).toList();
        assertEquals(n, undoPoints.size(), "every request is undone, the failed one too: " + aborting.points);
        long undoFrom = aborting.writesAtPoint.get(last);
        long undoWrites = aborting.writes.get();

        List<Case> cases = new ArrayList<>();
        for (String p : okPoints) {
            boolean past = p.equals("commit") || p.startsWith("committed:") || p.equals("pivot") || p.equals("end");
            cases.add(new Case("failure at " + p, new Faults(Set.of(p), -1, false), past ? Expect.ALL : Expect.NONE));
        }
        for (String p : undoPoints) {
            cases.add(new Case("failures at " + last + " and " + p, new Faults(Set.of(last, p), -1, false),
                    Expect.NONE));
        }
        // a big group samples its writes; small ones fail every single write, once and from there on
        long stride = n > 3 ? Math.max(1, okWrites / 12) : 1;
        for (long k = 0; k < okWrites; k += stride) {
            Expect e = k < commitWrites ? Expect.NONE : Expect.ALL;
            cases.add(new Case("failure of write " + k, new Faults(Set.of(), k, false), e));
            if (n <= 3 || k % (2 * stride) == 0) {
                cases.add(new Case("failure of writes " + k + "..", new Faults(Set.of(), k, true), e));
            }
        }
        for (long k = undoFrom; k < undoWrites; k += stride) {
            cases.add(new Case("failure at " + last + ", then of undo write " + k,
                    new Faults(Set.of(last), k, false), Expect.NONE));
            cases.add(new Case("failure at " + last + ", then of undo writes " + k + "..",
                    new Faults(Set.of(last), k, true), Expect.NONE));
        }
        for (Case c : cases) {
            runCase(c);
        }
        System.out.printf("%s x%d: %d cases (%d points, %d writes, %d undo writes) in %d ms%n", shape, n,
                cases.size() + 2, okPoints.size() + undoPoints.size(), okWrites, undoWrites - undoFrom,
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * A transaction whose undo fails is left to recovery; until recover() resolves it, no other
     * transaction may touch its devices: an external snapshot in between would move the device
     * away from the image the leftover snapshot is in, and the rollback would no longer find it.
     */
    @Test
    void aDeviceWithAnUnfinishedTransactionWaitsForRecovery() throws Exception {
        shape = "create";
        n = 2;
        f = new GroupFixture(dir, n, "8M", true);
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();
        Faults writes = new Faults(Set.of(), -1, false);
        FaultInjector undoFails = new FaultInjector() {
            @Override
            public void at(String point) throws IOException {
                if (point.equals("prepared:1") && failing.compareAndSet(false, true)) {
                    throw new IOException("injected failure at " + point);
                }
            }

            @Override
            public Storage wrap(Storage s) {
                // An abort writes back only what the prepare overwrote, then truncates: fail that too.
                return new WriteHookStorage(writes.wrap(s), (offset, data) -> {
                    if (failing.get()) {
                        throw new IOException("injected failure of an undo write or truncate");
                    }
                }, true);
            }
        };
        try (SnapshotEngine engine = SnapshotEngine.open(f.registry(),
                EngineOptions.defaults().withParallelism(1).withFaults(undoFails))) {
            TransactionResult first = engine.begin()
                    .add(InternalSnapshotRequest.create("disk0", "x", TIME))
                    .add(InternalSnapshotRequest.create("disk1", "x", TIME)).submit();
            assertEquals(TransactionStatus.ABORTED, first.status());
            assertTrue(first.reason().contains("recovery will finish the rollback"), first.reason());
            failing.set(false);
            // the undo failed, but nothing was switched: no image shows x, whatever the prepare wrote
            assertEquals(List.of(), Qemu.snapshotNames(f.image("disk0")));

            Path overlay = f.overlayDir("disk0").resolve("o.qcow2").toAbsolutePath().normalize();
            Map<String, String> before = f.fingerprint();
            TransactionResult refused = engine.begin().add(ExternalSnapshotRequest.create("disk0", overlay)).submit();
            assertEquals(TransactionStatus.ABORTED, refused.status());
            assertTrue(refused.reason().contains("run recover() first"), refused.reason());
            assertEquals(Step.CANCELLED, refused.outcomes().get(0).step());
            assertEquals(before, f.fingerprint(), "the refused transaction changed files");

            RecoveryReport report = engine.recover();
            assertEquals(List.of(), report.pending());
            assertEquals(TransactionStatus.ROLLED_BACK, report.resolved().get(0).status());
            for (String d : f.devices) {
                assertEquals(List.of(), Qemu.snapshotNames(f.image(d)), d);
            }
            TransactionResult after = engine.begin().add(ExternalSnapshotRequest.create("disk0", overlay)).submit();
            assertEquals(TransactionStatus.COMMITTED, after.status(), after.reason());
        }
        f.assertAllClean();
    }

    private String kind(int i) {
        if (!shape.equals("mixed")) {
            return shape;
        }
        return List.of("create", "delete", "external", "existing").get(i % 4);
    }

    private Path overlay(String device) {
        return f.overlayDir(device).resolve("t.qcow2").toAbsolutePath().normalize();
    }

    /** The overlay an "existing" request pivots to, made before the transaction. */
    private Path existing(String device) {
        return f.overlayDir(device).resolve("e.qcow2").toAbsolutePath().normalize();
    }

    /** Disk0 made by QEMU with data, a snapshot "old" and data written after it; the others its copies. */
    private void setUpFixture() throws Exception {
        f = new GroupFixture(dir, n, "8M", true);
        Path disk0 = f.image("disk0");
        Qemu.img("snapshot", "-c", "old", disk0.toString()).ok();
        Qemu.io(disk0, "write -P 0x5a 512k 1M", "write -P 0x5b 6M 64k");
        pristine = dir.resolve("pristine.qcow2");
        Files.copy(disk0, pristine);
        new QemuVerdicts().assertClean(pristine);
        reset();
    }

    private void reset() throws IOException {
        for (int i = 0; i < n; i++) {
            String d = f.devices.get(i);
            Files.copy(pristine, f.image(d), StandardCopyOption.REPLACE_EXISTING);
            try (Stream<Path> s = Files.list(f.overlayDir(d))) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            if (kind(i).equals("existing")) {
                Qcow2Image.createOverlay(f.image(d).toAbsolutePath().normalize(), existing(d));
            }
        }
        Path state = dir.resolve("state");
        if (Files.exists(state)) {
            try (Stream<Path> s = Files.walk(state)) {
                for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private void runCase(Case c) throws Exception {
        String what = shape + " x" + n + ", " + c.label();
        try {
            TransactionResult result = null;
            IOException thrown = null;
            try (SnapshotEngine engine = SnapshotEngine.open(f.registry(),
                    EngineOptions.defaults().withParallelism(1).withFaults(c.faults()))) {
                Transaction t = engine.begin();
                for (int i = 0; i < n; i++) {
                    String d = f.devices.get(i);
                    switch (kind(i)) {
                        case "create" -> t.add(InternalSnapshotRequest.create(d, "t", TIME));
                        case "delete" -> t.add(InternalSnapshotRequest.delete(d, "old"));
                        case "external" -> t.add(ExternalSnapshotRequest.create(d, overlay(d)));
                        default -> t.add(ExternalSnapshotRequest.useExisting(d, existing(d)));
                    }
                }
                try {
                    result = t.submit();
                } catch (IOException e) {
                    thrown = e;
                }
                c.faults().armed = false;
                if (result != null) {
                    assertEquals(c.expect() == Expect.ALL ? TransactionStatus.COMMITTED : TransactionStatus.ABORTED,
                            result.status(), what + ": " + result.reason());
                }
                if (journalEntries() > 0) {
                    RecoveryReport report = engine.recover();
                    assertEquals(List.of(), report.pending(), what);
                    assertEquals(1, report.resolved().size(), what);
                    assertEquals(c.expect() == Expect.ALL ? TransactionStatus.ROLLED_FORWARD
                            : TransactionStatus.ROLLED_BACK, report.resolved().get(0).status(), what);
                }
                assertEquals(0, journalEntries(), what + ": journal left unfinished");
                DeviceRegistry onDisk = f.registry();
                for (String d : f.devices) {
                    assertEquals(onDisk.activeImage(d), engine.registry().activeImage(d),
                            what + ": the engine's active layer of " + d + " is not the one on disk");
                }
                QemuVerdicts look = new QemuVerdicts();
                assertAllOrNothing(what, look, onDisk, c.expect(), thrown);
                look.assertAllClean(dir.resolve("images"), dir.resolve("overlays"));
            }
        } finally {
            reset();
        }
    }

    private long journalEntries() throws IOException {
        Path j = dir.resolve("state/journal");
        if (!Files.exists(j)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(j)) {
            return s.count();
        }
    }

    private void assertAllOrNothing(String what, QemuVerdicts look, DeviceRegistry reg, Expect expect,
                                    IOException thrown)
            throws Exception {
        List<String> present = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String d = f.devices.get(i);
            Path active = reg.activeImage(d);
            boolean done;
            switch (kind(i)) {
                case "create" -> {
                    List<String> names = look.snapshotNames(active);
                    done = names.contains("t");
                    assertEquals(done ? List.of("old", "t") : List.of("old"), names, what + ": snapshots of " + d);
                }
                case "delete" -> {
                    List<String> names = look.snapshotNames(active);
                    done = names.isEmpty();
                    assertEquals(done ? List.of() : List.of("old"), names, what + ": snapshots of " + d);
                }
                case "existing" -> {
                    Path o = existing(d);
                    assertTrue(Files.exists(o), what + ": the existing overlay of " + d + " is gone");
                    done = active.equals(o);
                    if (!done) {
                        assertEquals(f.image(d).toAbsolutePath().normalize(), active, what);
                    }
                    look.assertChainOpens(active, done ? List.of(o, f.image(d)) : List.of(active));
                }
                default -> {
                    Path o = overlay(d);
                    boolean exists = Files.exists(o);
                    done = active.equals(o);
                    assertEquals(done, exists, what + ": overlay of " + d + (exists ? " left behind" : " missing")
                            + ", active layer " + active);
                    if (done) {
                        look.assertChainOpens(o, List.of(o, f.image(d)));
                    } else {
                        assertEquals(f.image(d).toAbsolutePath().normalize(), active, what);
                    }
                }
            }
            (done ? present : absent).add(d + "(" + kind(i) + ")");
        }
        if (!present.isEmpty() && !absent.isEmpty()) {
            fail(what + ": half a transaction: done on " + present + ", not on " + absent
                    + (thrown == null ? "" : "; submit threw " + thrown.getMessage()));
        }
        Expect seen = absent.isEmpty() ? Expect.ALL : Expect.NONE;
        assertEquals(expect, seen, what + (thrown == null ? "" : "; submit threw " + thrown.getMessage()));
    }
}
