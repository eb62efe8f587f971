package io.blksnap.txn;

import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Group transactions on real images, judged by QEMU. */
class TransactionTest {

    @TempDir
    Path dir;

    @Test
    void internalGroupSnapshotCommitsOnEveryDeviceAndDeletesAsOne() throws Exception {
        GroupFixture f = new GroupFixture(dir, 4);
        List<TransactionEvent> events = new ArrayList<>();
        try (SnapshotEngine engine = f.engine()) {
            engine.addListener(events::add);
            Transaction t = engine.begin();
            for (String d : f.devices) {
                t.add(InternalSnapshotRequest.create(d, "nightly", Instant.now()));
            }
            TransactionResult r = t.submit();
            assertEquals(TransactionStatus.COMMITTED, r.status());
            r.outcomes().forEach(o -> assertEquals(Step.COMMITTED, o.step()));
            for (String d : f.devices) {
                assertEquals(List.of("nightly"), Qemu.snapshotNames(f.image(d)));
            }
            f.assertAllClean();

            Transaction del = engine.begin();
            for (String d : f.devices) {
                del.add(InternalSnapshotRequest.delete(d, "nightly"));
            }
            assertEquals(TransactionStatus.COMMITTED, del.submit().status());
            for (String d : f.devices) {
                assertEquals(List.of(), Qemu.snapshotNames(f.image(d)));
            }
            f.assertAllClean();
        }
        assertEquals(TransactionEvent.Kind.STARTED, events.get(0).kind());
        assertTrue(events.stream().anyMatch(e -> e.kind() == TransactionEvent.Kind.COMMITTED));
        assertTrue(Files.list(dir.resolve("state/journal")).findAny().isEmpty(), "journal empty once done");
        assertEquals(2, Files.list(dir.resolve("state/history")).count());
    }

    @Test
    void aPrepareFailureUndoesEveryPreparedSnapshot() throws Exception {
        GroupFixture f = new GroupFixture(dir, 5);
        try (SnapshotEngine engine = f.engine()) {
            Transaction t = engine.begin();
            for (String d : f.devices) {
                t.add(InternalSnapshotRequest.create(d, "doomed", Instant.now()));
            }
            Map<String, String> before = f.fingerprint();
            TransactionResult r;
            // the fourth disk is taken by a running QEMU between add and submit
            try (QemuHolder ignored = QemuHolder.qemuIo(f.image("disk3"))) {
                r = t.submit();
            }
            assertEquals(TransactionStatus.ABORTED, r.status());
            assertEquals("disk3", r.failedDevice());
            assertTrue(r.reason().contains("in use"), r.reason());
            assertEquals(Step.FAILED, r.outcomes().get(3).step());
            for (int i : new int[] {0, 1, 2, 4}) {
                assertEquals(Step.INVALIDATED, r.outcomes().get(i).step());
            }
            for (String d : f.devices) {
                assertEquals(List.of(), Qemu.snapshotNames(f.image(d)), d);
            }
            f.assertAllClean();
            assertEquals(before.keySet(), f.fingerprint().keySet());
        }
    }

    @Test
    void externalSnapshotsPivotEveryDeviceAtOnce() throws Exception {
        GroupFixture f = new GroupFixture(dir, 3);
        try (SnapshotEngine engine = f.engine()) {
            Transaction t = engine.begin();
            for (String d : f.devices) {
                t.add(ExternalSnapshotRequest.create(d, f.overlayDir(d).resolve("snap1.qcow2").toAbsolutePath()));
            }
            TransactionResult r = t.submit();
            assertEquals(TransactionStatus.COMMITTED, r.status(), String.valueOf(r.reason()));
            DeviceRegistry reg = f.registry();
            for (String d : f.devices) {
                Path overlay = f.overlayDir(d).resolve("snap1.qcow2").toAbsolutePath();
                assertEquals(overlay, reg.activeImage(d));
                try (Qcow2Image o = Qcow2Image.open(overlay)) {
                    assertEquals(f.image(d).toAbsolutePath().toString(), o.backingFile());
                }
                Qemu.io(overlay, "write -P 0x7f 0 64k");
                assertEquals(-1L, Files.mismatch(Qemu.toRaw(f.image(d), null, dir),
                        rawWithPattern(d, f)), "the base keeps the data as of the snapshot");
            }
            f.assertAllClean();
            // a second internal snapshot now lands in the overlay, the active layer
            Transaction t2 = engine.begin();
            t2.add(InternalSnapshotRequest.create("disk0", "in-overlay", Instant.now()));
            assertEquals(TransactionStatus.COMMITTED, t2.submit().status());
            assertEquals(List.of("in-overlay"), Qemu.snapshotNames(reg.activeImage("disk0")));
            assertEquals(List.of(), Qemu.snapshotNames(f.image("disk0")));
        }
    }

    private Path rawWithPattern(String device, GroupFixture f) throws Exception {
        Path p = Files.createTempFile(dir, "expect", ".raw");
        Path img = dir.resolve("expect-" + device + ".qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "16M").ok();
        Qemu.io(img, "write -P " + (0x10 + f.devices.indexOf(device)) + " 0 1M");
        Files.delete(p);
        return Qemu.toRaw(img, null, dir);
    }

    @Test
    void mixedRequestsInOneTransaction() throws Exception {
        GroupFixture f = new GroupFixture(dir, 3);
        Qemu.img("snapshot", "-c", "old", f.image("disk2").toString()).ok();
        try (SnapshotEngine engine = f.engine()) {
            Transaction t = engine.begin()
                    .add(InternalSnapshotRequest.create("disk0", "mix", Instant.now()))
                    .add(ExternalSnapshotRequest.create("disk1", f.overlayDir("disk1").resolve("o.qcow2").toAbsolutePath()))
                    .add(InternalSnapshotRequest.delete("disk2", "old"));
            TransactionResult r = t.submit();
            assertEquals(TransactionStatus.COMMITTED, r.status());
            assertEquals("1", r.outcomes().get(0).snapshotId());
            assertEquals("1", r.outcomes().get(2).snapshotId());
            assertNull(r.failedDevice());
        }
        assertEquals(List.of("mix"), Qemu.snapshotNames(f.image("disk0")));
        assertEquals(List.of(), Qemu.snapshotNames(f.image("disk2")));
        assertTrue(Files.exists(f.overlayDir("disk1").resolve("o.qcow2")));
        f.assertAllClean();
    }

    @Test
    void racingTransactionsOnTheSameDevicesRunOneAfterTheOther() throws Exception {
        GroupFixture f = new GroupFixture(dir, 3);
        try (SnapshotEngine engine = f.engine()) {
            List<Thread> threads = new ArrayList<>();
            List<TransactionResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (String name : new String[] {"race-a", "race-b"}) {
                Transaction t = engine.begin();
                for (String d : f.devices) {
                    t.add(InternalSnapshotRequest.create(d, name, Instant.now()));
                }
                threads.add(new Thread(() -> {
                    try {
                        results.add(t.submit());
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread th : threads) {
                th.join();
            }
            assertEquals(List.of(), errors);
            assertEquals(2, results.size());
            results.forEach(r -> assertEquals(TransactionStatus.COMMITTED, r.status()));
            for (String d : f.devices) {
                assertEquals(2, Qemu.snapshotNames(f.image(d)).size());
            }
        }
        f.assertAllClean();
    }

    /**
     * A transaction on {@code device} submitted on a thread of its own and stopped right after
     * its prepare there, holding the device until {@link #release}.
     */
    private static final class Holder {
        private final CountDownLatch inside = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final List<TransactionResult> result = new ArrayList<>();
        private final Thread thread;

        Holder(SnapshotEngine engine, Transaction t, String device) throws InterruptedException {
            engine.addListener(e -> {
                if (e.kind() == TransactionEvent.Kind.STEP && e.step() == Step.CREATED && device.equals(e.device())) {
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            thread = new Thread(() -> {
                try {
                    result.add(t.submit());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            thread.start();
            inside.await();
        }

        /** Lets the held transaction finish; its result. */
        TransactionResult release() throws InterruptedException {
            release.countDown();
            thread.join();
            return result.get(0);
        }
    }

    @Test
    void transactionsOnDisjointDevicesRunInParallel() throws Exception {
        GroupFixture f = new GroupFixture(dir, 2);
        try (SnapshotEngine engine = f.engine()) {
            Transaction first = engine.begin().add(InternalSnapshotRequest.create("disk0", "first", Instant.now()));
            Transaction second = engine.begin().add(InternalSnapshotRequest.create("disk1", "second", Instant.now()));
            Holder held = new Holder(engine, first, "disk0");
            // the first transaction is stopped half-way holding disk0; disk1's goes through meanwhile
            assertEquals(TransactionStatus.COMMITTED, second.submit().status());
            assertEquals(TransactionStatus.COMMITTED, held.release().status());
        }
        f.assertAllClean();
    }

    @Test
    void aBusyDeviceTimesOutCleanly() throws Exception {
        GroupFixture f = new GroupFixture(dir, 2);
        try (SnapshotEngine engine = SnapshotEngine.open(f.registry(),
                EngineOptions.defaults().withLockTimeout(java.time.Duration.ofMillis(200)))) {
            Transaction slow = engine.begin();
            Transaction quick = engine.begin();
            slow.add(InternalSnapshotRequest.create("disk0", "slow", Instant.now()));
            quick.add(InternalSnapshotRequest.create("disk0", "quick", Instant.now()));
            Holder held = new Holder(engine, slow, "disk0");
            TransactionResult r = quick.submit();
            held.release();
            assertEquals(TransactionStatus.ABORTED, r.status());
            assertTrue(r.reason().contains("busy"), r.reason());
            r.outcomes().forEach(o -> assertEquals(Step.CANCELLED, o.step()));
        }
        assertEquals(List.of("slow"), Qemu.snapshotNames(f.image("disk0")));
        f.assertAllClean();
    }

    @Test
    void aTransactionsOwnLockTimeoutOverridesTheEngines() throws Exception {
        GroupFixture f = new GroupFixture(dir, 2);
        // the engine would wait an hour: only the transaction's own 200 ms can end the wait
        try (SnapshotEngine engine = SnapshotEngine.open(f.registry(),
                EngineOptions.defaults().withLockTimeout(Duration.ofHours(1)))) {
            Transaction slow = engine.begin().add(InternalSnapshotRequest.create("disk0", "slow", Instant.now()));
            Transaction quick = engine.begin().lockTimeout(Duration.ofMillis(200))
                    .add(InternalSnapshotRequest.create("disk0", "quick", Instant.now()))
                    .add(InternalSnapshotRequest.create("disk1", "quick", Instant.now()));
            Holder held = new Holder(engine, slow, "disk0");
            Map<String, String> before = f.fingerprint();
            // were the engine's hour used, this would fail here instead of waiting it out
            TransactionResult r = assertTimeoutPreemptively(Duration.ofMinutes(1), quick::submit);
            assertEquals(before, f.fingerprint());
            assertEquals(TransactionStatus.COMMITTED, held.release().status());
            assertEquals(TransactionStatus.ABORTED, r.status());
            assertTrue(r.reason().contains("busy") && r.reason().contains("waited 200 ms"), r.reason());
            r.outcomes().forEach(o -> assertEquals(Step.CANCELLED, o.step()));

            // only before submit, and never negative
            assertThrows(IllegalStateException.class, () -> quick.lockTimeout(Duration.ofSeconds(1)));
            assertThrows(IllegalArgumentException.class, () -> engine.begin().lockTimeout(Duration.ofMillis(-1)));
            assertThrows(IllegalArgumentException.class, () -> engine.begin().lockTimeout(null));
        }
        assertEquals(List.of("slow"), Qemu.snapshotNames(f.image("disk0")));
        assertEquals(List.of(), Qemu.snapshotNames(f.image("disk1")));
        f.assertAllClean();
    }
}
