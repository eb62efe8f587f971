package io.blksnap.qmp;

import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuVm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Block nodes and pauses of a real QEMU, checked against qemu-img and query-status. */
class LiveVmTest {

    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void findsNodesAndTheirSnapshotsAsQemuImgListsThem() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", a.toString(), "64M").ok();
        Qemu.img("snapshot", "-c", "before", a.toString()).ok();
        try (QemuVm vm = QemuVm.start(dir.resolve("qmp.sock"), Map.of("d0", a));
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            LiveVm live = new LiveVm(qmp);
            qmp.execute("blockdev-snapshot-internal-sync", Map.of("device", "d0", "name", "live"));
            BlockNode d0 = live.blockNode("d0").orElseThrow();
            assertEquals(a, d0.image());
            assertEquals(Qemu.snapshotNames(a), d0.snapshots().stream().map(BlockNode.LiveSnapshot::name).toList());
            assertEquals(List.of("before", "live"), d0.snapshots().stream().map(BlockNode.LiveSnapshot::name).toList());
            assertTrue(live.blockNode("nope").isEmpty());
            assertEquals(List.of("d0"), live.blockNodes().stream().map(BlockNode::nodeName).toList());
        }
    }

    @Test
    void aPauseResumesOnlyAVmItStopped() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", a.toString(), "64M").ok();
        try (QemuVm vm = QemuVm.start(dir.resolve("qmp.sock"), Map.of("d0", a));
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            LiveVm live = new LiveVm(qmp);
            LiveVm.Pause p;
            try (LiveVm.Pause pause = live.pause(T)) {
                p = pause;
                assertTrue(pause.stoppedIt());
                assertFalse(live.isRunning());
            }
            assertTrue(live.isRunning());
            assertTrue(p.millis() > 0);

            qmp.execute("stop");
            try (LiveVm.Pause pause = live.pause(T)) {
                assertFalse(pause.stoppedIt());
            }
            assertFalse(live.isRunning(), "a VM paused by its operator stays paused");
        }
    }
}
