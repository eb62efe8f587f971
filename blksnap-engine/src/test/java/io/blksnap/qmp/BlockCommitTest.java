package io.blksnap.qmp;

import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuVm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.blksnap.qmp.LiveDisks.addOverlay;
import static io.blksnap.qmp.LiveDisks.jobs;
import static io.blksnap.qmp.LiveDisks.nodes;
import static io.blksnap.qmp.LiveDisks.qemuIo;
import static io.blksnap.qmp.LiveDisks.quit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Live merges on a real QEMU, judged after QEMU exits by qemu-io and qemu-img check on the files. */
class BlockCommitTest {

    private static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private Path image(String name) throws Exception {
        Path p = dir.resolve(name);
        Qemu.img("create", "-q", "-f", "qcow2", p.toString(), "8M").ok();
        return p;
    }

    @Test
    void anActiveCommitMergesTheGuestsWritesIntoTheBaseAndRemovesTheOverlay() throws Exception {
        Path a = image("a.qcow2");
        try (QemuVm vm = QemuVm.start(dir.resolve("qmp.sock"), Map.of("d0", a));
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            addOverlay(qmp, dir, "d0", a, "o0");
            qemuIo(qmp, "o0", "write -P 0x5a 0 1M");
            List<long[]> progress = new ArrayList<>();
            JobResult r = BlockCommit.activeCommit(qmp, "o0",
                    JobOptions.of(T).withProgress((id, cur, total) -> progress.add(new long[]{cur, total}),
                            Duration.ofSeconds(1)), 0);
            assertEquals("commit", r.type());
            assertTrue(r.id().startsWith("blksnap-"), r.id());
            assertEquals(r.totalProgress(), r.currentProgress());
            assertFalse(progress.isEmpty(), "the end is reported to the progress listener");
            assertEquals(List.of("d0"), nodes(qmp));
            assertEquals(List.of(), jobs(qmp), "the concluded job was dismissed");
            quit(qmp, vm);
        }
        Qemu.io(a, "read -P 0x5a 0 1M", "read -P 0 1M 7M");
        Qemu.assertClean(a);
    }

    @Test
    void aCommitQemuRefusesFailsWithItsMessageAndLeavesNoJob() throws Exception {
        Path a = image("a.qcow2");
        try (QemuVm vm = QemuVm.start(dir.resolve("qmp.sock"), Map.of("d0", a));
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            QmpException e = assertThrows(QmpException.class, () -> BlockCommit.activeCommit(qmp, "d0", T));
            assertEquals("GenericError", e.errorClass());
            assertTrue(e.getMessage().contains(vm.qmpSocket().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("cannot commit an image into itself"), e.getMessage());
            assertEquals(List.of(), jobs(qmp));
            assertEquals(List.of("d0"), nodes(qmp), "the node QEMU would not commit stays");
        }
    }

    @Test
    void aTimeoutCancelsTheCommitAndTheOverlayKeepsTheGuestsWrites() throws Exception {
        Path a = image("a.qcow2");
        Path ov;
        try (QemuVm vm = QemuVm.start(dir.resolve("qmp.sock"), Map.of("d0", a));
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            ov = addOverlay(qmp, dir, "d0", a, "o0");
            qemuIo(qmp, "o0", "write -P 0x5a 0 4M");
            // 4 MiB at 64 KiB/s takes a minute: the job cannot be ready within the timeout
            QmpTimeoutException e = assertThrows(QmpTimeoutException.class, () -> BlockCommit.activeCommit(qmp, "o0",
                    JobOptions.of(Duration.ofMillis(800)), 64 * 1024));
            assertTrue(e.getMessage().contains("blksnap-commit-"), e.getMessage());
            assertTrue(e.getMessage().contains(vm.qmpSocket().toString()), e.getMessage());
            assertEquals(List.of(), jobs(qmp), "the cancelled job was dismissed");
            assertTrue(nodes(qmp).contains("o0"), "a commit that did not finish leaves the overlay in place");
            quit(qmp, vm);
        }
        Qemu.io(ov, "read -P 0x5a 0 4M");
        Qemu.assertClean(ov);
        Qemu.assertClean(a);
    }

    @Test
    void aSocketClosingMidJobIsAClearError() throws Exception {
        Path a = image("a.qcow2");
        try (QemuVm vm = QemuVm.start(dir.resolve("qmp.sock"), Map.of("d0", a));
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            addOverlay(qmp, dir, "d0", a, "o0");
            qemuIo(qmp, "o0", "write -P 0x5a 0 4M");
            JobProgress killQemu = (id, cur, total) -> {
                try {
                    vm.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            QmpException e = assertThrows(QmpException.class, () -> BlockCommit.activeCommit(qmp, "o0",
                    JobOptions.of(T).withProgress(killQemu, Duration.ofMillis(100)), 64 * 1024));
            assertFalse(e instanceof QmpTimeoutException, e.toString());
            assertTrue(e.getMessage().contains("connection closed before the job concluded"), e.getMessage());
            assertTrue(e.getMessage().contains("blksnap-commit-"), e.getMessage());
        }
    }

    @Test
    void aMiddleLayerIsMergedIntoItsBaseAndTheTopIsRelinked() throws Exception {
        Path a = image("a.qcow2");
        Qemu.io(a, "write -P 0x11 0 1M");
        Path m = dir.resolve("m.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", a.toString(), "-F", "qcow2", m.toString()).ok();
        Qemu.io(m, "write -P 0x22 1M 1M");
        Path t = dir.resolve("t.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", m.toString(), "-F", "qcow2", t.toString()).ok();
        LinkedHashMap<String, Path> chain = new LinkedHashMap<>();
        chain.put("d0", a);
        chain.put("m0", m);
        chain.put("t0", t);
        try (QemuVm vm = QemuVm.startChain(dir.resolve("qmp.sock"), chain);
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            qemuIo(qmp, "t0", "write -P 0x33 2M 1M");
            QmpException active = assertThrows(QmpException.class, () -> BlockCommit.commit(qmp, "t0", "d0", T));
            assertTrue(active.getMessage().contains("active layer"), active.getMessage());
            QmpException upside = assertThrows(QmpException.class, () -> BlockCommit.commit(qmp, "d0", "m0", T));
            assertTrue(upside.getMessage().contains("not above"), upside.getMessage());

            JobResult r = BlockCommit.commit(qmp, "m0", "d0", T);
            assertEquals("commit", r.type());
            assertEquals(List.of(), jobs(qmp));
            assertEquals(List.of("d0", "t0"), nodes(qmp).stream().sorted().toList());
            // QEMU no longer holds the merged layer's file
            Qemu.img("info", m.toString()).ok();
            quit(qmp, vm);
        }
        assertTrue(Qemu.img("info", t.toString()).ok().out().contains("backing file: " + a), "t now backs onto a");
        Qemu.io(a, "read -P 0x11 0 1M", "read -P 0x22 1M 1M", "read -P 0 2M 6M");
        Qemu.io(t, "read -P 0x11 0 1M", "read -P 0x22 1M 1M", "read -P 0x33 2M 1M");
        Qemu.assertClean(a);
        Qemu.assertClean(t);
    }
}
