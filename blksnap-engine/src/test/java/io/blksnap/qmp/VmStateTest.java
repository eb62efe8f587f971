package io.blksnap.qmp;

import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuVm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.blksnap.qmp.LiveDisks.image;
import static io.blksnap.qmp.LiveDisks.jobs;
import static io.blksnap.qmp.LiveDisks.qemuIo;
import static io.blksnap.qmp.LiveDisks.quit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Snapshots with memory on a real QEMU (-M none), judged after QEMU exits with qemu-io and qemu-img. */
class VmStateTest {

    private static final Duration T = Duration.ofSeconds(20);
    private static final List<String> BOTH = List.of("d0", "d1");

    @TempDir
    Path dir;

    private Path a;
    private Path b;

    private QemuVm start() throws Exception {
        a = image(dir, "a.qcow2");
        b = image(dir, "b.qcow2");
        LinkedHashMap<String, Path> nodes = new LinkedHashMap<>();
        nodes.put("d0", a);
        nodes.put("d1", b);
        return QemuVm.start(dir.resolve("qmp.sock"), nodes);
    }

    @Test
    void aLoadRevertsTheDisksToTheSaveAndTheStateLivesOnTheVmstateDisk() throws Exception {
        try (QemuVm vm = start(); QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            LiveVm live = new LiveVm(qmp);
            qemuIo(qmp, "d0", "write -P 0x11 0 1M");
            qemuIo(qmp, "d1", "write -P 0x22 0 1M");
            JobResult saved = VmState.save(qmp, "s1", "d0", BOTH, T);
            assertEquals("snapshot-save", saved.type());
            assertTrue(live.isRunning(), "a running VM runs on after the save");
            BlockNode.LiveSnapshot s1 = live.blockNode("d0").orElseThrow().snapshots().get(0);
            assertEquals("s1", s1.name());
            assertTrue(s1.vmStateSize() > 0, "the memory snapshot has a VM state: " + s1);
            assertTrue(s1.vmClockNsec() > 0, "and the guest clock of a VM that ran: " + s1);

            qemuIo(qmp, "d0", "write -P 0x5a 0 2M");
            qemuIo(qmp, "d1", "write -P 0x5a 0 2M");
            JobResult loaded = VmState.load(qmp, "s1", "d0", BOTH, T);
            assertEquals("snapshot-load", loaded.type());
            assertTrue(live.isRunning(), "a running VM runs on after the load");
            assertEquals(List.of(), jobs(qmp));
            quit(qmp, vm);
        }
        Qemu.io(a, "read -P 0x11 0 1M", "read -P 0 1M 7M");
        Qemu.io(b, "read -P 0x22 0 1M", "read -P 0 1M 7M");
        assertTrue(Qemu.vmStateSizes(a).get("s1") > 0, "the VM SIZE is on the vmstate disk: " + Qemu.vmStateSizes(a));
        assertEquals(Map.of("s1", 0L), Qemu.vmStateSizes(b));
        Qemu.assertClean(a);
        Qemu.assertClean(b);
    }

    @Test
    void aSaveUnderATagThatExistsFailsAndAddsNothing() throws Exception {
        try (QemuVm vm = start(); QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            LiveVm live = new LiveVm(qmp);
            VmState.save(qmp, "s1", "d0", BOTH, T);
            qemuIo(qmp, "d1", "write -P 0x5a 0 1M");
            QmpJobException e = assertThrows(QmpJobException.class, () -> VmState.save(qmp, "s1", "d1", BOTH, T));
            assertEquals("Snapshot 's1' already exists in one or more devices", e.jobError());
            assertTrue(live.isRunning());
            assertEquals(List.of(), jobs(qmp));

            // an operator's pause outlives a save
            qmp.execute("stop");
            VmState.save(qmp, "s2", "d0", BOTH, T);
            assertFalse(live.isRunning(), "a VM an operator paused stays paused");
            quit(qmp, vm);
        }
        assertEquals(List.of("s1", "s2"), List.copyOf(Qemu.vmStateSizes(a).keySet()));
        assertEquals(Map.of("s1", 0L, "s2", 0L), Qemu.vmStateSizes(b), "the failed save stored no state on d1");
        Qemu.assertClean(a);
        Qemu.assertClean(b);
    }

    @Test
    void aFailedLoadResumesARunningVmAndLeavesAPausedOnePaused() throws Exception {
        try (QemuVm vm = start(); QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            LiveVm live = new LiveVm(qmp);
            QmpJobException e = assertThrows(QmpJobException.class,
                    () -> VmState.load(qmp, "nosuch", "d0", BOTH, T));
            assertEquals("Snapshot 'nosuch' does not exist in one or more devices", e.jobError());
            assertTrue(live.isRunning(), "QEMU stopped the VM for the load; it runs again");
            assertEquals(List.of(), jobs(qmp));

            qmp.execute("stop");
            assertThrows(QmpJobException.class, () -> VmState.load(qmp, "nosuch", "d0", BOTH, T));
            assertFalse(live.isRunning(), "a VM an operator paused stays paused");
        }
    }

    @Test
    void aDeleteRemovesTheTagFromEveryNode() throws Exception {
        try (QemuVm vm = start(); QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            assertThrows(IllegalArgumentException.class, () -> VmState.save(qmp, "s1", "d2", BOTH, T));
            VmState.save(qmp, "s1", "d0", BOTH, T);
            VmState.save(qmp, "s2", "d0", BOTH, T);
            assertEquals("snapshot-delete", VmState.delete(qmp, "s1", BOTH, T).type());
            assertEquals(List.of(), jobs(qmp));
            quit(qmp, vm);
        }
        assertEquals(List.of("s2"), Qemu.snapshotNames(a));
        assertEquals(List.of("s2"), Qemu.snapshotNames(b));
        Qemu.assertClean(a);
        Qemu.assertClean(b);
    }
}
