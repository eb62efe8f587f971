package io.blksnap.txn;

import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.SmallFilesystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full disk can only fail a prepare. Four images on a small loop-mounted file system, each with
 * data, a snapshot S and data written after it; the free space is cut to 0 B ... 1 MiB in small
 * steps, and a group create, delete, apply or external create runs. Whatever the space, the
 * transaction commits on every image, or aborts leaving every file byte for byte as it was (and no
 * overlay behind); QEMU finds every image clean either way.
 */
class FullDiskTest {

    private static final int DEVICES = 4;
    private static final long[] FREE = {0, 16 << 10, 64 << 10, 128 << 10, 192 << 10, 256 << 10, 320 << 10,
            384 << 10, 512 << 10, 640 << 10, 768 << 10, 1 << 20};

    @TempDir
    static Path work;

    private static SmallFilesystem fs;
    private static Path template;

    @BeforeAll
    static void template() throws Exception {
        fs = SmallFilesystem.mount(work, 200);
        template = Files.createDirectories(work.resolve("template"));
        Path img = template.resolve("img0.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "64M").ok();
        Qemu.io(img, "write -P 0x11 0 16M");
        Qemu.img("snapshot", "-c", "S", img.toString()).ok();
        Qemu.io(img, "write -P 0x22 0 4M");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (fs != null) {
            fs.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"create", "delete", "apply", "external", "merge"})
    void allOrNothingAtEveryFreeSpace(String op) throws Exception {
        int committed = 0;
        int aborted = 0;
        // a merge (external delete) copies data: it needs more room than the others to commit at all
        long[] frees = op.equals("merge") ? java.util.stream.LongStream.concat(java.util.Arrays.stream(FREE),
                java.util.stream.LongStream.of(2 << 20, 4 << 20)).toArray() : FREE;
        for (long free : frees) {
            String what = op + " with " + free + " bytes free";
            Path root = Files.createDirectories(fs.root().resolve(op + "-" + free));
            try {
                if (runCase(op, free, what, root)) {
                    committed++;
                } else {
                    aborted++;
                }
            } finally {
                fs.release();
                deleteTree(root);
            }
        }
        System.out.printf("full disk, %s: %d committed, %d aborted cleanly%n", op, committed, aborted);
        assertTrue(aborted > 0, op + ": no free space was small enough to fail it: the test proves nothing");
        assertTrue(committed > 0, op + ": no free space was large enough for it to commit");
    }

    /** One case; true when it committed. */
    private static boolean runCase(String op, long free, String what, Path root) throws Exception {
        {
            List<Path> images = new ArrayList<>();
            for (int i = 0; i < DEVICES; i++) {
                Path img = root.resolve("img" + i + ".qcow2");
                Qemu.exec("cp", "--sparse=always", template.resolve("img0.qcow2").toString(), img.toString()).ok();
                images.add(img);
            }
            Path overlays = Files.createDirectories(root.resolve("overlays"));
            if (op.equals("merge")) { // img <- overlays/mid (written) <- top, the device: delete the point mid names
                for (Path img : images) {
                    Path mid = overlays.resolve("mid-" + img.getFileName());
                    Qcow2Image.createOverlay(img, mid);
                    Qemu.io(mid, "write -P 0x33 1M 128k");
                    Qcow2Image.createOverlay(mid, root.resolve("top-" + img.getFileName()));
                }
            }
            Map<String, String> before = hashes(root);
            fs.leaveFree(free);
            TransactionResult r;
            Path state = work.resolve("state-" + op + "-" + free);
            try (SnapshotEngine engine = SnapshotEngine.open(DeviceRegistry.ofPaths(state, overlays),
                    EngineOptions.defaults())) {
                Transaction t = engine.begin();
                for (Path img : images) {
                    t.add(request(op, img, overlays));
                }
                try {
                    r = t.submit();
                } catch (IOException e) {
                    throw new AssertionError(what + ": the transaction neither committed nor aborted: " + e.getMessage(), e);
                }
            } finally {
                fs.release();
            }
            boolean committed = r.status() == TransactionStatus.COMMITTED;
            if (committed) {
                assertChanged(op, images, overlays, what);
            } else {
                assertEquals(TransactionStatus.ABORTED, r.status(), what + ": " + r.reason());
                assertEquals(before, hashes(root), what + ": an aborted transaction changed a file (" + r.reason() + ")");
            }
            for (Path img : images) {
                Qemu.assertClean(img);
            }
            return committed;
        }
    }

    private static SnapshotRequest request(String op, Path img, Path overlays) {
        String dev = DeviceRegistry.pathDeviceName(img);
        return switch (op) {
            case "create" -> InternalSnapshotRequest.create(dev, "X", Instant.now());
            case "delete" -> InternalSnapshotRequest.delete(dev, "S");
            case "apply" -> InternalSnapshotRequest.apply(dev, "S");
            case "merge" -> ExternalSnapshotRequest.delete(DeviceRegistry.pathDeviceName(
                    img.resolveSibling("top-" + img.getFileName())), overlays.resolve("mid-" + img.getFileName()));
            default -> ExternalSnapshotRequest.create(dev, overlays.resolve(img.getFileName()));
        };
    }

    private static void assertChanged(String op, List<Path> images, Path overlays, String what) throws Exception {
        for (Path img : images) {
            List<String> names = Qemu.snapshotNames(img);
            switch (op) {
                case "create" -> assertEquals(List.of("S", "X"), names, what + ": " + img);
                case "delete" -> assertEquals(List.of(), names, what + ": " + img);
                case "apply" -> assertEquals(List.of("S"), names, what + ": " + img); // content: below
                case "merge" -> {
                    assertTrue(!Files.exists(overlays.resolve("mid-" + img.getFileName())), what + ": overlay left");
                    assertEquals(List.of(img.resolveSibling("top-" + img.getFileName()), img),
                            ChainOracle.chain(img.resolveSibling("top-" + img.getFileName())), what);
                    String out = Qemu.run("qemu-io", "-r", "-U", "-f", "qcow2", "-c", "read -P 0x33 1M 128k",
                            img.toString()).out();
                    assertTrue(!out.contains("Pattern verification failed"), what + ": " + img + " not merged: " + out);
                }
                default -> Qemu.assertClean(overlays.resolve(img.getFileName()));
            }
        }
        if (op.equals("apply")) {
            for (Path img : images) {
                String out = Qemu.run("qemu-io", "-r", "-U", "-f", "qcow2", "-c", "read -P 0x11 0 4M",
                        img.toString()).out();
                assertTrue(!out.contains("Pattern verification failed"), what + ": " + img + " not reverted: " + out);
            }
        }
    }

    /** SHA-256 of every file under {@code root}: what an abort must leave exactly as it was. */
    private static Map<String, String> hashes(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p) + " " + Files.size(p), Hashes.sha256(p));
            }
        }
        return out;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
