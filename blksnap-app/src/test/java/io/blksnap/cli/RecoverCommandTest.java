package io.blksnap.cli;

import io.blksnap.registry.DeviceRegistry;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Qemu;
import io.blksnap.txn.EngineOptions;
import io.blksnap.txn.FaultInjector;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code recover} finds what a crashed command left wherever it was left: in the state dir named
 * with {@code --state-dir} even when a devices.yaml is configured, and for images that were named
 * on a command line rather than configured.
 */
class RecoverCommandTest {

    @TempDir
    Path dir;

    @Test
    void recoversLooseImagesInTheNamedStateDirDespiteAConfiguredOne() throws Exception {
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path img = dir.resolve("img" + i + ".qcow2");
            Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "16M").ok();
            Qemu.img("snapshot", "-c", "S", img.toString()).ok();
            images.add(img);
        }
        // a configuration with its own devices and state dir, as in every checkout
        Path config = GroupFixture.in(dir.resolve("config")).group("configured", "other").written("0")
                .absolutePaths().create().dir;

        // `snapshot -d S IMG0..IMG3` dies just after its commit record: S is still on every image
        Path state = dir.resolve("loose-state");
        FaultInjector dieAtCommit = new FaultInjector() {
            @Override
            public void at(String point) throws IOException {
                if (point.equals("commit")) {
                    throw new IOException("simulated death after the commit record");
                }
            }
        };
        try (SnapshotEngine engine = SnapshotEngine.open(DeviceRegistry.ofPaths(state, null),
                EngineOptions.defaults().withFaults(dieAtCommit))) {
            Transaction t = engine.begin();
            for (Path img : images) {
                t.add(InternalSnapshotRequest.delete(DeviceRegistry.pathDeviceName(img), "S"));
            }
            assertThrows(IOException.class, t::submit);
        }
        for (Path img : images) {
            assertEquals(List.of("S"), Qemu.snapshotNames(img));
        }

        Blksnap.Run r = Blksnap.run("recover", "--config", config.toString(), "--state-dir", state.toString()).ok();
        assertTrue(r.out().contains("rolled forward"), r.out());
        for (Path img : images) {
            assertEquals(List.of(), Qemu.snapshotNames(img), img + " after recover");
            Qemu.assertClean(img);
        }
        assertEquals("nothing to recover", Blksnap.run("recover", "--config", config.toString(),
                "--state-dir", state.toString()).ok().out().strip());
    }
}
