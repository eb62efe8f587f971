package io.blksnap.txn;

import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * QEMU's verdicts on image files ({@code qemu-img check}, {@code qemu-img snapshot -l},
 * {@code qemu-img info --backing-chain}), remembered by the files' contents: fault and crash tests
 * look at the same bytes again and again (an untouched image, the same snapshot made with the same
 * time), and a file equal to one QEMU already judged gets the same verdict. Every new content still
 * goes to QEMU.
 *
 * <p>The content key is the length with two independent CRCs (64 bits of checksum): hashing is
 * what these tests would otherwise spend their time on, and the contents are not adversarial.
 * One instance is one look at a quiet set of files: each file's key is computed once.
 */
final class QemuVerdicts {

    private static final Set<String> CLEAN = ConcurrentHashMap.newKeySet();
    private static final Set<String> CHAINS = ConcurrentHashMap.newKeySet();
    private static final Map<String, List<String>> NAMES = new ConcurrentHashMap<>();

    private final Map<Path, String> keys = new HashMap<>();

    String key(Path file) throws IOException {
        Path p = file.toAbsolutePath().normalize();
        String k = keys.get(p);
        if (k == null) {
            k = contentKey(p);
            keys.put(p, k);
        }
        return k;
    }

    static String contentKey(Path file) throws IOException {
        CRC32C a = new CRC32C();
        CRC32 b = new CRC32();
        long length = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            while (ch.read(buf) > 0) {
                buf.flip();
                length += buf.remaining();
                a.update(buf.duplicate());
                b.update(buf);
                buf.clear();
            }
        }
        return length + ":" + Long.toHexString(a.getValue()) + ":" + Long.toHexString(b.getValue());
    }

    /** {@code qemu-img check} exits 0: no corruption, no leak. */
    void assertClean(Path image) throws IOException, InterruptedException {
        String k = key(image);
        if (!CLEAN.contains(k)) {
            Qemu.assertClean(image);
            CLEAN.add(k);
        }
    }

    List<String> snapshotNames(Path image) throws IOException, InterruptedException {
        String k = key(image);
        List<String> names = NAMES.get(k);
        if (names == null) {
            names = List.copyOf(Qemu.snapshotNames(image));
            NAMES.put(k, names);
        }
        return names;
    }

    /**
     * QEMU opens {@code active} with its whole backing chain ({@code chain}: active first, the base
     * last, as the test computed it) and agrees that this is the chain.
     */
    void assertChainOpens(Path active, List<Path> chain) throws IOException, InterruptedException {
        StringBuilder k = new StringBuilder();
        for (Path p : chain) {
            k.append(p.toAbsolutePath().normalize()).append('=').append(key(p)).append(';');
        }
        if (CHAINS.contains(k.toString())) {
            return;
        }
        Qemu.Result r = Qemu.img("info", "-U", "--backing-chain", "--output=json", active.toString()).ok();
        for (Path p : chain) {
            if (!r.out().contains("\"filename\": \"" + p.toAbsolutePath().normalize() + "\"")) {
                throw new AssertionError("qemu-img info --backing-chain of " + active + " does not show " + p
                        + ":\n" + r.out());
            }
        }
        int layers = r.out().split("\"filename\":", -1).length - 1;
        if (layers != chain.size()) {
            throw new AssertionError("qemu-img info --backing-chain of " + active + " shows " + layers
                    + " layers, expected " + chain + ":\n" + r.out());
        }
        CHAINS.add(k.toString());
    }

    /** Every qcow2 file under {@code roots} checks clean. */
    void assertAllClean(Path... roots) throws IOException, InterruptedException {
        for (Path p : qcow2Files(roots)) {
            assertClean(p);
        }
    }

    static List<Path> qcow2Files(Path... roots) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(f -> Files.isRegularFile(f) && f.toString().endsWith(".qcow2")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    /** SHA-256 of every regular file under {@code root}, by relative path. */
    static Map<String, String> fingerprint(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                out.put(root.relativize(p).toString(), Hashes.sha256(p));
            }
        }
        return out;
    }
}
