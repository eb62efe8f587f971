package io.blksnap.txn;

import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuHolder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every refusal of {@code add(request)}: a clear reason, nothing queued, every file unchanged. */
class RequestRefusalTest {

    @TempDir
    Path dir;

    private GroupFixture f;
    private SnapshotEngine engine;
    private Map<String, String> before;

    @BeforeEach
    void setUp() throws Exception {
        f = new GroupFixture(dir, 2);
        Qemu.img("snapshot", "-c", "existing", f.image("disk0").toString()).ok();
        engine = f.engine();
        before = f.fingerprint();
    }

    private void refused(SnapshotRequest r, String expected) throws Exception {
        Transaction t = engine.begin();
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> t.add(r));
        assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
        assertEquals(0, t.requests().size());
        assertEquals(before, f.fingerprint());
    }

    private Path overlay(String device, String name) {
        return f.overlayDir(device).resolve(name).toAbsolutePath();
    }

    @Test
    void unknownDevice() throws Exception {
        refused(InternalSnapshotRequest.create("nope", "x", Instant.now()), "unknown device");
    }

    @Test
    void illegalNames() throws Exception {
        refused(InternalSnapshotRequest.create("disk0", "", Instant.now()), "empty");
        refused(InternalSnapshotRequest.create("disk0", "x".repeat(256), Instant.now()), "longer than");
        refused(InternalSnapshotRequest.create("disk0", "bad\nname", Instant.now()), "control character");
        refused(InternalSnapshotRequest.create("disk0", "existing", Instant.now()), "already exists");
    }

    @Test
    void missingSnapshotToDelete() throws Exception {
        refused(InternalSnapshotRequest.delete("disk1", "existing"), "does not exist");
        refused(InternalSnapshotRequest.deleteById("disk0", "7", "existing"), "no snapshot has id 7");
    }

    @Test
    void sameDeviceTwice() throws Exception {
        Transaction t = engine.begin().add(InternalSnapshotRequest.create("disk0", "a", Instant.now()));
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> t.add(InternalSnapshotRequest.create("disk0", "b", Instant.now())));
        assertTrue(e.getMessage().contains("already in this transaction"));
        assertEquals(1, t.requests().size());
    }

    /**
     * A symlink to an image already in the transaction, or a path through a symlinked directory,
     * names the same device (real paths compared): refused at add, the file left as it was
     * (length and SHA-256).
     */
    @Test
    void anAliasOfAnImageAlreadyInTheTransaction() throws Exception {
        Path img = dir.resolve("alias").resolve("a.qcow2");
        Files.createDirectories(img.getParent());
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "8M").ok();
        Path link = Files.createSymbolicLink(dir.resolve("alias").resolve("link.qcow2"), img.getFileName());
        Path viaDir = Files.createSymbolicLink(dir.resolve("alias-dir"), img.getParent()).resolve("a.qcow2");
        Path local = Path.of("").toAbsolutePath().relativize(img.toAbsolutePath());
        String hash = Hashes.sha256(img);
        long size = Files.size(img);
        try (SnapshotEngine paths = SnapshotEngine.open(DeviceRegistry.ofPaths(dir.resolve("alias-state"),
                dir.resolve("alias")), EngineOptions.defaults())) {
            Transaction t = paths.begin().add(InternalSnapshotRequest.create(DeviceRegistry.pathDeviceName(img), "x",
                    Instant.now()));
            for (Path alias : new Path[] {link, viaDir, Path.of(".").resolve(local)}) {
                InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> t.add(
                        InternalSnapshotRequest.create(DeviceRegistry.pathDeviceName(alias), "y", Instant.now())),
                        alias.toString());
                assertTrue(e.getMessage().contains("already in this transaction"), e.getMessage());
                assertEquals(1, t.requests().size());
            }
        }
        assertEquals(hash, Hashes.sha256(img));
        assertEquals(size, Files.size(img));
        Qemu.assertClean(img);
    }

    @Test
    void overlayOutsideTheDevicesDirectory() throws Exception {
        refused(ExternalSnapshotRequest.create("disk0", dir.resolve("elsewhere.qcow2").toAbsolutePath()), "outside");
        refused(ExternalSnapshotRequest.create("disk0", overlay("disk1", "o.qcow2")), "outside");
        refused(ExternalSnapshotRequest.create("disk0",
                Path.of(f.overlayDir("disk0").toAbsolutePath() + "/../disk1/o.qcow2")), "normalized");
        refused(ExternalSnapshotRequest.create("disk0", Path.of("relative.qcow2")), "absolute");
        // a symlinked directory inside the overlay directory that points out of it
        Files.createSymbolicLink(f.overlayDir("disk0").resolve("escape"), dir.toAbsolutePath());
        before = f.fingerprint();
        refused(ExternalSnapshotRequest.create("disk0", overlay("disk0", "escape/o.qcow2")), "outside");
        // a symlink as the overlay file itself
        Files.createSymbolicLink(f.overlayDir("disk0").resolve("link.qcow2"), dir.resolve("target.qcow2"));
        before = f.fingerprint();
        refused(ExternalSnapshotRequest.create("disk0", overlay("disk0", "link.qcow2")), "outside");
    }

    @Test
    void overlayThatAlreadyExistsOrDoesNotFit() throws Exception {
        Path existing = overlay("disk0", "made.qcow2");
        Qcow2Image.createOverlay(f.image("disk0").toAbsolutePath(), existing);
        before = f.fingerprint();
        refused(ExternalSnapshotRequest.create("disk0", existing), "already exists");
        Path wrongBase = overlay("disk1", "wrong.qcow2");
        Qcow2Image.createOverlay(f.image("disk0").toAbsolutePath(), wrongBase);
        Path wrongSize = overlay("disk1", "size.qcow2");
        Qcow2Image.create(wrongSize, io.blksnap.qcow2.CreateOptions.ofSize(32 << 20)
                .withBacking(f.image("disk1").toAbsolutePath().toString(), "qcow2"));
        before = f.fingerprint();
        refused(ExternalSnapshotRequest.useExisting("disk1", wrongBase), "is not backed by");
        refused(ExternalSnapshotRequest.useExisting("disk1", wrongSize), "has size");
        refused(ExternalSnapshotRequest.useExisting("disk1", overlay("disk1", "absent.qcow2")), "does not exist");
        // the right one is accepted
        engine.begin().add(ExternalSnapshotRequest.useExisting("disk0", existing));
    }

    /** An external point is named by its overlay: one the device's chain does not have is refused, for delete and revert. */
    @Test
    void externalDeleteOrRevertOfAPointTheChainLacks() throws Exception {
        refused(new ExternalSnapshotRequest("disk0", Operation.DELETE, overlay("disk0", "x.qcow2"), "qcow2", false),
                "no external snapshot point");
        refused(new ExternalSnapshotRequest("disk0", Operation.APPLY, overlay("disk0", "x.qcow2"), "qcow2", false),
                "no external snapshot point");
        refused(new ExternalSnapshotRequest("disk0", Operation.DELETE, f.image("disk0").toAbsolutePath(), "qcow2",
                false), "outside the device's overlay directory");
    }

    @Test
    void imageInUseByARunningQemu() throws Exception {
        try (QemuHolder ignored = QemuHolder.qemuIo(f.image("disk1"))) {
            refused(InternalSnapshotRequest.create("disk1", "x", Instant.now()), "in use");
        }
    }

    @Test
    void readOnlyImage() throws Exception {
        Path img = f.image("disk1");
        assertTrue(img.toFile().setWritable(false, false)); // no write bit at all: refused even for root
        try {
            before = f.fingerprint();
            refused(InternalSnapshotRequest.create("disk1", "x", Instant.now()), "read-only");
        } finally {
            img.toFile().setWritable(true, true);
        }
    }

    @Test
    void imageThatCannotTakeInternalSnapshots() throws Exception {
        Path img = f.image("disk1");
        Files.delete(img);
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("images/disk1.raw"),
                img.toString(), "16M").ok();
        before = f.fingerprint();
        refused(InternalSnapshotRequest.create("disk1", "x", Instant.now()), "external data file");
    }

    @Test
    void corruptImage() throws Exception {
        Path img = f.image("disk1");
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 0, 0, 0, 2}), 72); // corrupt bit
        }
        before = f.fingerprint();
        refused(InternalSnapshotRequest.create("disk1", "x", Instant.now()), "corrupt");
    }
}
