package io.blksnap.txn;

import com.fasterxml.jackson.databind.JsonNode;
import io.blksnap.qmp.BlockNode;
import io.blksnap.qmp.QmpClient;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuVm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.blksnap.txn.LiveTransactionTest.ask;
import static io.blksnap.txn.LiveTransactionTest.live;
import static io.blksnap.txn.LiveTransactionTest.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots with the VM's memory (QEMU's snapshot-save) through the engine: VM a with disks a0
 * and a1 (a0 holds the state), the offline image off, in group g. QEMU judges: QMP while it runs,
 * qemu-img after it exits.
 */
class MemorySnapshotTest {

    @TempDir
    Path dir;

    GroupFixture f;
    QemuVm a;

    Path sock() {
        return dir.resolve("a.sock");
    }

    void start() throws Exception {
        f = GroupFixture.in(dir).group("g", "a0", "a1", "off").size("8M").written("1M")
                .live("a0", sock(), "a0", null).live("a1", sock(), "a1", null).create();
        Map<String, Path> nodes = new LinkedHashMap<>();
        nodes.put("a0", f.image("a0"));
        nodes.put("a1", f.image("a1"));
        a = QemuVm.start(sock(), nodes);
    }

    @AfterEach
    void stop() throws Exception {
        if (a != null) {
            a.close();
            a = null;
        }
    }

    /** Asks QEMU to exit and waits, so the images are closed and unlocked. */
    void quit() throws Exception {
        try (QmpClient c = VmSession.connect(sock())) {
            c.execute("quit");
        }
        assertTrue(a.awaitExit(20), "QEMU exits after quit");
        a = null;
    }

    static void qemuIo(Path socket, String node, String command) throws Exception {
        try (QmpClient c = VmSession.connect(socket)) {
            JsonNode out = c.execute("human-monitor-command",
                    Map.of("command-line", "qemu-io " + node + " \"" + command + "\""));
            assertEquals("", out.asText(), "qemu-io " + node + " " + command);
        }
    }

    static Transaction withMemory(SnapshotEngine engine, String name, String... devices) throws Exception {
        Transaction t = engine.begin();
        Instant now = Instant.now();
        for (String d : devices) {
            t.add(d.startsWith("a") ? InternalSnapshotRequest.createWithMemory(d, name, now)
                    : InternalSnapshotRequest.create(d, name, now));
        }
        return t;
    }

    @Test
    void aGroupSnapshotWithMemorySavesTheVmWithItsDisksAndAnOfflineImageGetsAPlainOne() throws Exception {
        start();
        try (SnapshotEngine engine = f.engine()) {
            // the group call the component and the CLI make
            TransactionResult r = new io.blksnap.group.GroupOperations(engine)
                    .snapshot("g", "s1", io.blksnap.group.SnapshotKind.INTERNAL, Instant.now(), true);
            assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
            assertEquals(List.of(true, true, false), r.outcomes().stream()
                    .map(o -> ((InternalSnapshotRequest) o.request()).withMemory()).toList());
            assertTrue(running(sock()), "the VM runs on after its memory was saved");
            assertEquals(List.of("s1"), live(sock(), "a0"));
            assertEquals(List.of("s1"), live(sock(), "a1"));
            BlockNode.LiveSnapshot s1 = ask(sock(), vm -> vm.blockNode("a0").orElseThrow().snapshots().get(0));
            assertTrue(s1.vmStateSize() > 0, "the state is on the first device's node: " + s1);
        }
        quit();
        try (SnapshotEngine engine = f.engine()) {
            io.blksnap.catalog.Catalog c = new io.blksnap.catalog.GroupCatalog(engine).catalog("g", Instant.now());
            assertTrue(c.devices().get(0).snapshots().get(0).vmStateSize() > 0, "the catalog shows the state's size");
        }
        assertTrue(Qemu.vmStateSizes(f.image("a0")).get("s1") > 0, "VM SIZE on the vmstate disk");
        assertEquals(Map.of("s1", 0L), Qemu.vmStateSizes(f.image("a1")));
        assertEquals(Map.of("s1", 0L), Qemu.vmStateSizes(f.image("off")));
        for (String d : List.of("a0", "a1", "off")) {
            Qemu.assertClean(f.image(d));
        }
    }

    @Test
    void memoryIsRefusedOnAnOfflineDeviceAndForPartOfAVm() throws Exception {
        start();
        try (SnapshotEngine engine = f.engine()) {
            Transaction t = engine.begin();
            InvalidRequestException off = assertThrows(InvalidRequestException.class,
                    () -> t.add(InternalSnapshotRequest.createWithMemory("off", "s1", Instant.now())));
            assertTrue(off.getMessage().contains("no running VM"), off.getMessage());

            t.add(InternalSnapshotRequest.createWithMemory("a0", "s1", Instant.now()));
            InvalidRequestException part = assertThrows(InvalidRequestException.class,
                    () -> t.add(InternalSnapshotRequest.create("a1", "s1", Instant.now())));
            assertTrue(part.getMessage().contains("\"a0\" of the same VM") && part.getMessage().contains("with memory"),
                    part.getMessage());

            Transaction u = engine.begin();
            u.add(InternalSnapshotRequest.create("a1", "s1", Instant.now()));
            InvalidRequestException other = assertThrows(InvalidRequestException.class,
                    () -> u.add(InternalSnapshotRequest.createWithMemory("a0", "s1", Instant.now())));
            assertTrue(other.getMessage().contains("without memory"), other.getMessage());
        }
        assertEquals(List.of(), live(sock(), "a0"));
        assertEquals(List.of(), live(sock(), "a1"));
    }

    @Test
    void aFailingSaveUndoesEverythingAndLeavesTheVmRunning() throws Exception {
        start();
        try (SnapshotEngine engine = f.engine()) {
            Transaction t = withMemory(engine, "s1", "off", "a0", "a1");
            // the name appears on a1 after the add's check (QEMU's save would add a second one there)
            try (QmpClient c = VmSession.connect(sock())) {
                c.execute("blockdev-snapshot-internal-sync", Map.of("device", "a1", "name", "s1"));
            }
            TransactionResult r = t.submit();
            assertEquals(TransactionStatus.ABORTED, r.status(), r + " " + live(sock(), "a0") + live(sock(), "a1"));
            assertTrue(r.reason().contains("already exists on node 'a1'"), r.reason());
            assertEquals("a1", r.failedDevice());
            assertTrue(running(sock()), "the VM runs again");
            assertEquals(List.of(), live(sock(), "a0"));
            assertEquals(List.of("s1"), live(sock(), "a1"), "the snapshot that was there before stays");
        }
        quit();
        assertEquals(List.of(), Qemu.snapshotNames(f.image("off")));
        assertEquals(List.of(), Qemu.snapshotNames(f.image("a0")));
        for (String d : List.of("a0", "a1", "off")) {
            Qemu.assertClean(f.image(d));
        }
    }

    @Test
    void aSnapshotWithMemoryIsLoadedBackOnARunningVmWithAllItsDisksOnly() throws Exception {
        start();
        try (SnapshotEngine engine = f.engine()) {
            assertEquals(TransactionStatus.COMMITTED, withMemory(engine, "s1", "a0", "a1", "off").submit().status());
            Transaction plain = engine.begin();
            plain.add(InternalSnapshotRequest.create("a0", "s2", Instant.now()));
            plain.add(InternalSnapshotRequest.create("a1", "s2", Instant.now()));
            assertEquals(TransactionStatus.COMMITTED, plain.submit().status());
            qemuIo(sock(), "a0", "write -P 0x5a 0 2M");
            qemuIo(sock(), "a1", "write -P 0x5a 0 2M");

            Transaction diskOnly = engine.begin();
            InvalidRequestException refused = assertThrows(InvalidRequestException.class,
                    () -> diskOnly.add(InternalSnapshotRequest.apply("a0", "s2")));
            assertTrue(refused.getMessage().contains("cannot revert a disk in place"), refused.getMessage());

            Transaction part = engine.begin();
            part.add(InternalSnapshotRequest.apply("a0", "s1"));
            part.add(InternalSnapshotRequest.apply("off", "s1"));
            TransactionResult partial = part.submit();
            assertEquals(TransactionStatus.ABORTED, partial.status());
            assertTrue(partial.reason().contains("[a1] not in this transaction"), partial.reason());
            assertTrue(running(sock()));

            Transaction all = engine.begin();
            for (String d : List.of("a0", "a1", "off")) {
                all.add(InternalSnapshotRequest.apply(d, "s1"));
            }
            TransactionResult r = all.submit();
            assertEquals(TransactionStatus.COMMITTED, r.status(), r.reason());
            assertTrue(running(sock()), "QEMU resumes the VM it stopped for the load");
        }
        quit();
        for (String d : List.of("a0", "a1", "off")) {
            Qemu.assertClean(f.image(d));
            assertEquals(Hashes.sha256(Qemu.toRaw(f.image(d), "s1", dir)), Hashes.sha256(Qemu.toRaw(f.image(d), null, dir)),
                    d + " reads as at s1");
        }
        Qemu.io(f.image("a0"), "read -P 0 1M 1M"); // the 0x5a written after s1 is gone
    }
}
