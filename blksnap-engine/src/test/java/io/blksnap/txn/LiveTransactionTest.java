package io.blksnap.txn;

import io.blksnap.qmp.BlockNode;
import io.blksnap.qmp.LiveVm;
import io.blksnap.qmp.QmpClient;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuVm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group snapshots over disks of running QEMUs (-M none, qcow2 block nodes): VM a with disks a0
 * and a1, VM b with disk b0, and the offline image off, in group g. QEMU's own answers (QMP
 * while it runs, qemu-img after it exits) judge every outcome.
 */
class LiveTransactionTest {

    static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    GroupFixture f;
    QemuVm a;
    QemuVm b;
    /** More QEMU arguments for VM a. */
    List<String> extraA = List.of();

    Path sockA() {
        return dir.resolve("a.sock");
    }

    Path sockB() {
        return dir.resolve("b.sock");
    }

    /** The fixture with group g of the given devices (a0, a1 on VM a; b0 on VM b; off offline), VMs started. */
    void start(Path agentA, String... devices) throws Exception {
        GroupFixture.Builder fb = GroupFixture.in(dir).group("g", devices).size("16M").written("1M");
        fb.live("a0", sockA(), "a0", agentA).live("a1", sockA(), "a1", agentA).live("b0", sockB(), "b0", null);
        f = fb.create();
        Map<String, Path> onA = new LinkedHashMap<>();
        Map<String, Path> onB = new LinkedHashMap<>();
        for (String d : devices) {
            if (d.startsWith("a")) {
                onA.put(d, f.image(d));
            } else if (d.startsWith("b")) {
                onB.put(d, f.image(d));
            }
        }
        a = onA.isEmpty() ? null : QemuVm.start(sockA(), onA, extraA);
        b = onB.isEmpty() ? null : QemuVm.start(sockB(), onB);
    }

    @AfterEach
    void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    interface VmQuery<T> {
        T ask(LiveVm vm) throws Exception;
    }

    /** Asks the VM at {@code socket} over a connection of its own (QEMU serves one QMP client at a time). */
    static <T> T ask(Path socket, VmQuery<T> q) throws Exception {
        try (QmpClient c = VmSession.connect(socket)) {
            return q.ask(new LiveVm(c));
        }
    }

    static boolean running(Path socket) throws Exception {
        return ask(socket, LiveVm::isRunning);
    }

    /** The snapshot names QEMU lists on {@code node} of the VM at {@code socket}. */
    static List<String> live(Path socket, String node) throws Exception {
        return ask(socket, vm -> vm.blockNode(node).orElseThrow().snapshots().stream()
                .map(BlockNode.LiveSnapshot::name).toList());
    }

    static Transaction create(SnapshotEngine engine, String name, List<String> devices) throws IOException {
        Transaction t = engine.begin();
        Instant now = Instant.now();
        for (String d : devices) {
            t.add(InternalSnapshotRequest.create(d, name, now));
        }
        return t;
    }

    static Transaction delete(SnapshotEngine engine, String name, List<String> devices) throws IOException {
        Transaction t = engine.begin();
        for (String d : devices) {
            t.add(InternalSnapshotRequest.delete(d, name));
        }
        return t;
    }

    /** QEMU has exited: every image checks clean and lists exactly {@code names}. */
    void afterExit(List<String> devices, List<String> names) throws Exception {
        stop();
        a = null;
        b = null;
        for (String d : devices) {
            Qemu.assertClean(f.image(d));
            assertEquals(names, Qemu.snapshotNames(f.image(d)), d);
        }
    }

    @Test
    void internalCreateAndDeleteOnOneVmWithTwoDisks() throws Exception {
        start(null, "a0", "a1");
        List<String> devices = List.of("a0", "a1");
        List<TransactionEvent> events = new ArrayList<>();
        try (SnapshotEngine engine = f.engine()) {
            engine.addListener(events::add);
            TransactionResult r = create(engine, "s1", devices).submit();
            assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
            assertEquals(List.of("s1"), live(sockA(), "a0"));
            assertEquals(List.of("s1"), live(sockA(), "a1"));
            for (RequestOutcome o : r.outcomes()) {
                assertEquals(ask(sockA(), vm -> vm.blockNode(o.device()).orElseThrow().snapshots().get(0).id()),
                        o.snapshotId());
            }
            assertEquals(1, r.vms().size());
            VmOutcome v = r.vms().get(0);
            assertEquals(sockA().toString(), v.qmpSocket());
            assertTrue(v.paused() && v.pauseMillis() > 0 && v.problem() == null, v.toString());
            assertTrue(running(sockA()), "resumed");
            TransactionEvent committed = events.stream().filter(e -> e.kind() == TransactionEvent.Kind.COMMITTED)
                    .findFirst().orElseThrow();
            assertEquals(r.vms(), committed.result().vms());
            // qemu-img agrees while QEMU still runs (-U)
            assertEquals(List.of("s1"), Qemu.snapshotNames(f.image("a0")));

            InvalidRequestException dup = assertThrows(InvalidRequestException.class,
                    () -> engine.begin().add(InternalSnapshotRequest.create("a0", "s1", Instant.now())));
            assertTrue(dup.getMessage().contains("already exists"), dup.getMessage());
            InvalidRequestException apply = assertThrows(InvalidRequestException.class,
                    () -> engine.begin().add(InternalSnapshotRequest.apply("a0", "s1")));
            assertTrue(apply.getMessage().contains("shut the VM down and apply offline"), apply.getMessage());

            TransactionResult d = delete(engine, "s1", devices).submit();
            assertEquals(TransactionStatus.COMMITTED, d.status(), d.reason());
            assertEquals(List.of(), d.vms(), "a deletion pauses no VM");
            assertEquals(List.of(), live(sockA(), "a0"));
            assertEquals(List.of(), live(sockA(), "a1"));

            assertEquals(TransactionStatus.COMMITTED, create(engine, "s2", devices).submit().status());
        }
        afterExit(devices, List.of("s2"));
    }

    @Test
    void aGroupOverTwoVmsAndAnOfflineImageIsAllOrNothing() throws Exception {
        start(null, "a0", "a1", "b0", "off");
        List<String> devices = List.of("a0", "a1", "b0", "off");
        try (SnapshotEngine engine = f.engine()) {
            TransactionResult r = create(engine, "g1", devices).submit();
            assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
            assertEquals(List.of(sockA().toString(), sockB().toString()),
                    r.vms().stream().map(VmOutcome::qmpSocket).toList());
            assertTrue(r.vms().stream().allMatch(v -> v.paused() && v.pauseMillis() > 0), r.vms().toString());
            assertEquals(r.vms().stream().mapToDouble(VmOutcome::pauseMillis).max().orElseThrow(),
                    r.longestPauseMillis());
            System.out.printf("pause windows of a 4-device group over 2 VMs + 1 offline image: %s ms%n",
                    r.vms().stream().map(v -> String.format("%.1f", v.pauseMillis())).toList());
            for (String d : List.of("a0", "a1")) {
                assertEquals(List.of("g1"), live(sockA(), d));
            }
            assertEquals(List.of("g1"), live(sockB(), "b0"));
            assertEquals(List.of("g1"), Qemu.snapshotNames(f.image("off")));

            // Between add and submit an operator makes g2 on b0: VM b's QMP transaction fails, and
            // everything else is undone: VM a's snapshots deleted, the offline image's bytes put back.
            Transaction t = create(engine, "g2", devices);
            ask(sockB(), vm -> vm.qmp().execute("blockdev-snapshot-internal-sync", Map.of("device", "b0", "name", "g2")));
            String offBefore = io.blksnap.testing.Hashes.sha256(f.image("off"));
            TransactionResult failed = t.submit();
            assertEquals(TransactionStatus.ABORTED, failed.status());
            assertEquals("b0", failed.failedDevice());
            assertTrue(failed.reason().contains("already exists"), failed.reason());
            assertEquals(2, failed.vms().size(), failed.vms().toString());
            for (String d : List.of("a0", "a1")) {
                assertEquals(List.of("g1"), live(sockA(), d));
            }
            assertEquals(List.of("g1", "g2"), live(sockB(), "b0"), "only the operator's g2");
            assertEquals(offBefore, io.blksnap.testing.Hashes.sha256(f.image("off")));
            assertTrue(running(sockA()) && running(sockB()), "every VM resumed");
            assertTrue(failed.outcomes().stream().filter(o -> !o.device().equals("b0"))
                    .allMatch(o -> o.step() == Step.INVALIDATED), failed.outcomes().toString());
        }
        afterExit(List.of("a0", "a1", "off"), List.of("g1"));
        assertEquals(List.of("g1", "g2"), Qemu.snapshotNames(f.image("b0")));
        Qemu.assertClean(f.image("b0"));
    }

    @Test
    void aVmPausedBeforehandStaysPaused() throws Exception {
        start(null, "a0", "b0");
        ask(sockA(), vm -> vm.qmp().execute("stop"));
        try (SnapshotEngine engine = f.engine()) {
            TransactionResult r = create(engine, "p1", List.of("a0", "b0")).submit();
            assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
            VmOutcome va = r.vms().get(0);
            assertFalse(va.paused(), va.toString());
            assertEquals(0, va.pauseMillis());
            assertTrue(r.vms().get(1).paused(), r.vms().toString());
            assertFalse(running(sockA()), "a VM paused by its operator stays paused");
            assertTrue(running(sockB()));
            assertEquals(List.of("p1"), live(sockA(), "a0"));
            // the journal names only the VM this transaction paused
            String history = java.nio.file.Files.readString(f.stateDir().resolve("history").resolve(r.id() + ".log"));
            assertTrue(history.contains("\"paused\":[\"" + sockB() + "\"]"), history);
        }
    }

    /**
     * VM b dies once both VMs are paused, so only VM a's transaction makes its snapshot: it is
     * deleted again and a resumes;
     * b's outcome is unknown, so the transaction stays pending and recovery names b until it is
     * back, then finishes the roll back.
     */
    @Test
    void aVmWhoseSocketClosesMidTransaction() throws Exception {
        start(null, "a0", "b0", "off");
        List<String> devices = List.of("a0", "b0", "off");
        FaultInjector killB = new FaultInjector() {
            @Override
            public void at(String point) throws IOException {
                if (point.equals("paused")) {
                    try {
                        b.close();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
            }
        };
        String offBefore = io.blksnap.testing.Hashes.sha256(f.image("off"));
        try (SnapshotEngine engine = SnapshotEngine.open(f.registry(), EngineOptions.defaults().withFaults(killB))) {
            TransactionResult r = create(engine, "k1", devices).submit();
            assertEquals(TransactionStatus.ABORTED, r.status());
            assertEquals("b0", r.failedDevice());
            assertTrue(r.reason().contains(sockB().toString()), r.reason());
            assertEquals(List.of(), live(sockA(), "a0"));
            assertTrue(running(sockA()));
            assertEquals(offBefore, io.blksnap.testing.Hashes.sha256(f.image("off")));

            RecoveryReport gone = engine.recover();
            assertEquals(1, gone.pending().size(), gone.toString());
            assertTrue(gone.pending().get(0).contains(sockB().toString()), gone.pending().toString());
            TransactionResult busy = create(engine, "k2", List.of("a0")).submit();
            assertEquals(TransactionStatus.ABORTED, busy.status());
            assertTrue(busy.reason().contains("recover"), busy.reason());
        }
        b = QemuVm.start(sockB(), Map.of("b0", f.image("b0")));
        try (SnapshotEngine engine = f.engine()) {
            assertEquals(List.of(), engine.startupRecovery().pending());
            assertEquals(1, engine.startupRecovery().resolved().size());
            assertEquals(List.of(), live(sockB(), "b0"));
            assertTrue(running(sockB()));
        }
        afterExit(devices, List.of());
    }

    /**
     * A fake guest agent for VM a that, at each freeze and thaw, asks QEMU (on a second monitor:
     * the engine holds the first) whether the VM runs: freezing must come before the pause and
     * thawing after the resume, also when the transaction fails.
     */
    @Test
    void theGuestIsFrozenBeforeThePauseAndThawedAfterTheResumeAlsoOnFailure() throws Exception {
        Path observer = dir.resolve("observe.sock");
        extraA = List.of("-qmp", "unix:" + observer + ",server=on,wait=off");
        Path agentSock = dir.resolve("qga.sock");
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        try (io.blksnap.qmp.FakeQmpServer agent = new io.blksnap.qmp.FakeQmpServer(agentSock, (n, in, out) -> {
            String line;
            while ((line = in.readLine()) != null) {
                String cmd = line.replace("\u00ff", "").replaceAll(".*\"execute\":\"([^\"]+)\".*", "$1");
                if (cmd.equals("guest-sync-delimited")) {
                    out.write(0xFF);
                    out.write(("{\"return\": " + line.replaceAll(".*\"id\":(\\d+).*", "$1") + "}\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } else {
                    try {
                        log.add(cmd + (running(observer) ? " running" : " paused"));
                    } catch (Exception e) {
                        log.add(cmd + " " + e);
                    }
                    out.write("{\"return\": 1}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                out.flush();
            }
        })) {
            start(agentSock, "a0", "a1");
            try (SnapshotEngine engine = f.engine()) {
                TransactionResult r = create(engine, "q1", List.of("a0", "a1")).submit();
                assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
                assertEquals(List.of("guest-fsfreeze-freeze running", "guest-fsfreeze-thaw running"), log);
                VmOutcome v = r.vms().get(0);
                assertTrue(v.guestAgent() && v.frozen() && v.problem() == null, v.toString());

                log.clear();
                Transaction t = create(engine, "q2", List.of("a0", "a1"));
                ask(observer, vm -> vm.qmp().execute("blockdev-snapshot-internal-sync",
                        Map.of("device", "a1", "name", "q2")));
                TransactionResult failed = t.submit();
                assertEquals(TransactionStatus.ABORTED, failed.status());
                assertEquals("a1", failed.failedDevice(), failed.reason());
                assertEquals(List.of("guest-fsfreeze-freeze running", "guest-fsfreeze-thaw running"), log);
                assertEquals(List.of("q1"), live(observer, "a0"));
            }
        }
    }

    /** The image files of the VM's qcow2 nodes, sorted. */
    static List<String> files(Path socket) throws Exception {
        return ask(socket, vm -> vm.blockNodes().stream().map(n -> n.image().toString()).sorted().toList());
    }

    @Test
    void externalSnapshotsOfRunningVmsSwitchAtOnceAndAreMergedBackOnFailure() throws Exception {
        start(null, "a0", "b0", "off");
        List<String> devices = List.of("a0", "b0", "off");
        Map<String, Path> e1 = new LinkedHashMap<>();
        devices.forEach(d -> e1.put(d, f.overlayDir(d).resolve(d + "-e1.qcow2")));
        try (SnapshotEngine engine = f.engine()) {
            Transaction t = engine.begin();
            e1.forEach((d, o) -> {
                try {
                    t.add(ExternalSnapshotRequest.create(d, o));
                } catch (InvalidRequestException x) {
                    throw new IllegalStateException(x);
                }
            });
            TransactionResult r = t.submit();
            assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
            assertEquals(2, r.vms().size());
            for (String d : devices) {
                assertEquals(e1.get(d), engine.registry().activeImage(d));
            }
            assertEquals(List.of(f.image("a0").toString(), e1.get("a0").toString()), files(sockA()));
            assertTrue(running(sockA()) && running(sockB()));
            // the guest now writes to the overlay; the base keeps what the snapshot saw
            String baseBefore = io.blksnap.testing.Hashes.sha256(f.image("a0"));
            ask(sockA(), vm -> vm.qmp().execute("human-monitor-command", Map.of("command-line",
                    "qemu-io " + LiveDisk.overlayNode(e1.get("a0")) + " \"write -P 0x77 0 64k\"")));
            assertEquals(baseBefore, io.blksnap.testing.Hashes.sha256(f.image("a0")));
            // an internal snapshot of the device now goes to its overlay
            assertEquals(TransactionStatus.COMMITTED, create(engine, "i1", List.of("a0")).submit().status());
            assertEquals(List.of("i1"), ask(sockA(), vm -> vm.blockNode(LiveDisk.overlayNode(e1.get("a0")))
                    .orElseThrow().snapshots().stream().map(BlockNode.LiveSnapshot::name).toList()));

            // a second external snapshot fails on VM b: VM a's overlay is merged back and removed
            Path a2 = f.overlayDir("a0").resolve("a0-e2.qcow2");
            Path off2 = f.overlayDir("off").resolve("off-e2.qcow2");
            Transaction t2 = engine.begin().add(ExternalSnapshotRequest.create("a0", a2))
                    .add(InternalSnapshotRequest.create("b0", "dup", Instant.now()))
                    .add(ExternalSnapshotRequest.create("off", off2));
            ask(sockB(), vm -> vm.qmp().execute("blockdev-snapshot-internal-sync",
                    Map.of("device", LiveDisk.overlayNode(e1.get("b0")), "name", "dup")));
            TransactionResult failed = t2.submit();
            assertEquals(TransactionStatus.ABORTED, failed.status());
            assertEquals("b0", failed.failedDevice(), failed.reason());
            assertFalse(java.nio.file.Files.exists(a2) || java.nio.file.Files.exists(off2));
            assertEquals(List.of(f.image("a0").toString(), e1.get("a0").toString()), files(sockA()));
            assertEquals(e1.get("a0"), engine.registry().activeImage("a0"));
            assertTrue(running(sockA()) && running(sockB()));
        }
        stop();
        a = null;
        b = null;
        for (String d : devices) {
            Qemu.assertClean(f.image(d));
            Qemu.assertClean(e1.get(d));
            String chain = Qemu.img("info", "--backing-chain", e1.get(d).toString()).ok().out();
            assertTrue(chain.contains("backing file: " + f.image(d)), chain);
        }
        assertEquals(List.of("i1"), Qemu.snapshotNames(e1.get("a0")));
        Path raw = Qemu.toRaw(e1.get("a0"), null, dir);
        byte[] head = java.nio.file.Files.readAllBytes(raw);
        assertEquals(0x77, head[0]);
        assertEquals(0x77, head[65535]);
    }

    /** A device whose node QEMU does not have, or has read-only, is refused at add, naming why. */
    @Test
    void aMissingOrReadOnlyNodeIsRefusedAtAdd() throws Exception {
        f = GroupFixture.in(dir).group("g", "a0", "a1", "ro").live("a0", sockA(), "nope", null)
                .live("a1", sockA(), "a1", null).live("ro", sockA(), "ro", null).create();
        a = QemuVm.start(sockA(), Map.of("a1", f.image("a1")), List.of("-blockdev",
                "driver=qcow2,node-name=ro,read-only=on,file.driver=file,file.read-only=on,file.filename="
                        + f.image("ro")));
        try (SnapshotEngine engine = f.engine()) {
            InvalidRequestException missing = assertThrows(InvalidRequestException.class,
                    () -> engine.begin().add(InternalSnapshotRequest.create("a0", "x", Instant.now())));
            assertTrue(missing.getMessage().contains("no qcow2 node or device \"nope\""), missing.getMessage());
            InvalidRequestException ro = assertThrows(InvalidRequestException.class,
                    () -> engine.begin().add(InternalSnapshotRequest.create("ro", "x", Instant.now())));
            assertTrue(ro.getMessage().contains("read-only"), ro.getMessage());
            assertEquals(TransactionStatus.COMMITTED, create(engine, "x", List.of("a1")).submit().status());
        }
    }
}
