package io.blksnap.txn;

import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuVm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process running a live group snapshot (VM a's disk a0, VM b's disk b0, offline image off) is
 * halted at every fault point of it ({@link CrashChild}), also of its undo when VM a's part fails;
 * the next engine's recovery must leave every VM running and the snapshot on all three disks or
 * on none, and QEMU, once it exits, every image clean.
 */
class LiveCrashTest {

    @TempDir
    Path dir;

    private GroupFixture f;
    private final List<String> devices = List.of("a0", "b0", "off");

    private Path sock(String vm) {
        return dir.resolve(vm + ".sock");
    }

    /** Makes the fixture (a0 on VM a, b0 on VM b, off offline) and starts VM {@code vm}. */
    private QemuVm fixtureAndVm(String vm) throws Exception {
        f = GroupFixture.in(dir).group("g", "a0", "b0", "off").size("8M").written("512K")
                .live("a0", sock("a"), "a0", null).live("b0", sock("b"), "b0", null).create();
        return QemuVm.start(sock(vm), Map.of(vm + "0", f.image(vm + "0")));
    }

    @Test
    void haltedAtEveryPointOfALiveTransactionRecoveryResumesAndDecidesAllOrNothing() throws Exception {
        try (QemuVm a = fixtureAndVm("a"); QemuVm b = QemuVm.start(sock("b"), Map.of("b0", f.image("b0")))) {
            List<String> points = points(CrashChild.run(dir, 0, "once", "create", "none"));
            assertTrue(points.containsAll(List.of("live", "paused", "vm:0", "vm:1", "commit", "resumed", "end")),
                    points.toString());
            assertOutcome("no halt", true);
            int cases = 0;
            for (int k = 1; k <= points.size(); k++) {
                String at = points.get(k - 1);
                CrashChild.runHalting(dir, "once", "create", "point:" + k);
                assertOutcome("halt at point " + k + " (" + at + ")", points.indexOf(at) >= points.indexOf("commit"));
                cases++;
            }
            // VM a's part fails after its transaction made its snapshot (VM b's runs too): halted all through the undo
            String failed = CrashChild.run(dir, 0, "once", "create", "none", "vm:0");
            assertTrue(failed.contains("result ABORTED"), failed);
            assertOutcome("failure at vm:0", false);
            List<String> abortPoints = points(failed);
            for (int k = abortPoints.indexOf("vm:0") + 2; k <= abortPoints.size(); k++) {
                CrashChild.runHalting(dir, "once", "create", "point:" + k, "vm:0");
                assertOutcome("failure at vm:0, halt at point " + k + " (" + abortPoints.get(k - 1) + ")", false);
                cases++;
            }
            System.out.printf("live halts: %d cases (%d points, %d in the undo)%n", cases, points.size(),
                    abortPoints.size() - abortPoints.indexOf("vm:0") - 1);
        }
        for (String d : devices) {
            Qemu.assertClean(f.image(d));
            assertEquals(List.of(), Qemu.snapshotNames(f.image(d)), d);
        }
    }

    /**
     * External snapshots of the same three disks, halted at every point before the commit record:
     * recovery merges back and removes every overlay QEMU switched to, and removes the others;
     * then one run to its end switches all three.
     */
    @Test
    void haltedBeforeTheCommitOfALiveExternalSnapshotRecoveryMergesBackEveryOverlay() throws Exception {
        try (QemuVm a = fixtureAndVm("a"); QemuVm b = QemuVm.start(sock("b"), Map.of("b0", f.image("b0")))) {
            String out = CrashChild.run(dir, 0, "once", "external", "none", "vm:1");
            assertTrue(out.contains("result ABORTED"), out);
            assertExternal("failure at vm:1", false);
            List<String> points = points(out);
            for (int k = 1; k <= points.indexOf("vm:1"); k++) {
                CrashChild.runHalting(dir, "once", "external", "point:" + k);
                assertExternal("halt at point " + k + " (" + points.get(k - 1) + ")", false);
            }
            CrashChild.run(dir, 0, "once", "external", "none");
            assertExternal("no halt", true);
        }
        for (String d : devices) {
            Qemu.assertClean(f.image(d));
            Qemu.assertClean(overlay(d));
        }
    }

    private Path overlay(String device) {
        return f.overlayDir(device).resolve("new.qcow2");
    }

    private void assertExternal(String what, boolean committed) throws Exception {
        try (SnapshotEngine engine = f.engine()) {
            assertEquals(List.of(), engine.startupRecovery().pending(), what);
            for (String d : devices) {
                assertEquals(committed ? overlay(d) : f.image(d), engine.registry().activeImage(d), what + ": " + d);
                assertEquals(committed, java.nio.file.Files.exists(overlay(d)), what + ": overlay of " + d);
            }
            for (String vm : List.of("a", "b")) {
                assertTrue(LiveTransactionTest.running(sock(vm)), what + ": VM " + vm + " runs");
                String d = vm + "0";
                List<String> files = new ArrayList<>(List.of(f.image(d).toString()));
                if (committed) {
                    files.add(overlay(d).toString());
                }
                assertEquals(files, LiveTransactionTest.files(sock(vm)), what + ": nodes of VM " + vm);
            }
        }
    }

    private static List<String> points(String output) {
        List<String> out = new ArrayList<>();
        for (String l : output.split("\n")) {
            if (l.startsWith("point ")) {
                out.add(l.split(" ")[2]);
            }
        }
        return out;
    }

    /**
     * Recovers (an engine opening), then: both VMs run, snapshot "new" is on every disk or on
     * none as {@code committed} says; then removes it again for the next case.
     */
    private void assertOutcome(String what, boolean committed) throws Exception {
        try (SnapshotEngine engine = f.engine()) {
            assertEquals(List.of(), engine.startupRecovery().pending(), what);
            assertTrue(LiveTransactionTest.running(sock("a")), what + ": VM a runs");
            assertTrue(LiveTransactionTest.running(sock("b")), what + ": VM b runs");
            List<String> expected = committed ? List.of("new") : List.of();
            assertEquals(expected, LiveTransactionTest.live(sock("a"), "a0"), what + ": a0");
            assertEquals(expected, LiveTransactionTest.live(sock("b"), "b0"), what + ": b0");
            assertEquals(expected, Qemu.snapshotNames(f.image("off")), what + ": off");
            if (committed) {
                Transaction t = engine.begin();
                for (String d : devices) {
                    t.add(InternalSnapshotRequest.delete(d, "new"));
                }
                assertEquals(TransactionStatus.COMMITTED, t.submit().status(), what);
            }
        }
        Qemu.assertClean(f.image("off"));
    }
}
