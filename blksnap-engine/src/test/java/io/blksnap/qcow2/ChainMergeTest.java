package io.blksnap.qcow2;

import io.blksnap.testing.CrashingStorage;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Merging an upper image into its backing image ({@link Qcow2Image#commit}), judged by QEMU:
 * the lower image afterwards reads as the upper one did ({@code qemu-img compare}), passes
 * {@code qemu-img check}, and its internal snapshots read as before.
 */
class ChainMergeTest {

    @TempDir
    Path dir;

    /** Lower image with data, a compressed range and an internal snapshot "snap" sharing clusters. */
    private Path lower(String options) throws Exception {
        Path lower = dir.resolve("lower.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", options, lower.toString(), "24M").ok();
        Qemu.io(lower, "write -P 0x11 0 4M", "write -P 0x12 6M 2M", "write -c -P 0x13 16M 1M");
        Qemu.img("snapshot", "-c", "snap", lower.toString()).ok();
        Qemu.io(lower, "write -P 0x14 1M 1M", "write -P 0x15 20M 256k");
        return lower;
    }

    /** Upper image on {@code lower} (relative backing name), written at overlapping and new places. */
    private Path upper(Path lower, String options) throws Exception {
        Path upper = dir.resolve("upper.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", options, "-b", lower.getFileName().toString(), "-F", "qcow2",
                upper.toString()).ok();
        Qemu.io(upper,
                "write -P 0x21 512k 1M",      // overlaps lower data and the snapshot's clusters
                "write -P 0x22 10M 1M",       // where the lower image has nothing
                "write -z 2M 128k",           // zeros over lower data
                "write -z 12M 64k",           // zeros over nothing
                "discard 3M 128k",
                "write -P 0x23 7M 4k",        // less than a cluster: partial over lower data
                "write -P 0x24 12345 100",    // unaligned
                "write -c -P 0x25 16M 1M",    // compressed, over the lower image's compressed range
                "write -c -P 0x26 22M 1M");   // compressed, over nothing
        return upper;
    }

    @ParameterizedTest(name = "lower {0} / upper {1}")
    @CsvSource(delimiter = '|', value = {
            "cluster_size=65536|cluster_size=65536",
            "cluster_size=4096|cluster_size=65536",
            "cluster_size=65536|cluster_size=4096",
            "cluster_size=65536|cluster_size=65536,extended_l2=on",
            "cluster_size=16384,extended_l2=on|cluster_size=131072,extended_l2=on",
            "compat=0.10,cluster_size=8192|cluster_size=65536",
            "cluster_size=65536,refcount_bits=64|compat=0.10",
            "cluster_size=1048576|cluster_size=512"})
    void lowerReadsAsTheUpperImageDid(String lowerOptions, String upperOptions) throws Exception {
        Path lower = lower(lowerOptions);
        Path upper = upper(lower, upperOptions);
        Path upperRaw = Qemu.toRaw(upper, null, dir);
        Path snapRaw = Qemu.toRaw(lower, "snap", dir);
        Qemu.assertClean(lower);
        String upperHash = Hashes.sha256(upper);

        MergeResult r = Qcow2Image.commitInto(upper, lower);

        assertTrue(r.dataClusters() > 0 && r.l2Tables() > 0, r.toString());
        // A v2 upper image has no zero clusters (qemu-io writes its zeros as data), and 1 MiB
        // lower clusters are only partly covered by the 64-128 KiB zero writes.
        boolean wholeZeroClusters = !upperOptions.contains("compat=0.10") && !lowerOptions.contains("1048576");
        assertEquals(wholeZeroClusters, r.zeroClusters() > 0, r.toString());
        Qemu.assertClean(lower);
        Qemu.img("compare", "-f", "raw", "-F", "qcow2", upperRaw.toString(), lower.toString()).ok();
        Qemu.img("compare", "-f", "qcow2", "-F", "qcow2", upper.toString(), lower.toString()).ok();
        assertEquals(-1, Files.mismatch(snapRaw, Qemu.toRaw(lower, "snap", dir)), "snapshot content changed");
        assertEquals(List.of("snap"), Qemu.snapshotNames(lower));
        assertEquals(upperHash, Hashes.sha256(upper), "the upper image is only read");
    }

    @Test
    void anEmptyUpperImageChangesNothing() throws Exception {
        Path lower = lower("cluster_size=65536");
        Path upper = dir.resolve("upper.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "lower.qcow2", "-F", "qcow2", upper.toString()).ok();
        String before = Hashes.sha256(lower);
        assertEquals(0, Qcow2Image.commitInto(upper, lower).l2Tables());
        assertEquals(before, Hashes.sha256(lower));
    }

    @Test
    void aConvertedCompressedUpperImageMerges() throws Exception {
        Path lower = lower("cluster_size=65536");
        Path plain = upper(lower, "cluster_size=65536");
        // qemu-img convert -c with -B writes only what differs from the backing file, compressed.
        Path upper = dir.resolve("compressed.qcow2");
        Qemu.img("convert", "-c", "-f", "qcow2", "-O", "qcow2", "-B", "lower.qcow2", "-F", "qcow2",
                plain.toString(), upper.toString()).ok();
        Path upperRaw = Qemu.toRaw(upper, null, dir);
        MergeResult r = Qcow2Image.commitInto(upper, lower);
        assertTrue(r.dataClusters() > 0, r.toString());
        Qemu.assertClean(lower);
        Qemu.img("compare", "-f", "raw", "-F", "qcow2", upperRaw.toString(), lower.toString()).ok();
    }

    @Test
    void aThreeImageChainMergesItsMiddle() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "16M").ok();
        Qemu.io(base, "write -P 0x01 0 8M");
        Path mid = dir.resolve("mid.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", mid.toString()).ok();
        Qemu.io(mid, "write -P 0x02 1M 2M", "write -z 4M 1M", "write -P 0x03 12M 1M");
        Path top = dir.resolve("top.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", top.toString()).ok();
        Qemu.io(top, "write -P 0x04 2M 4M");
        Path topRaw = Qemu.toRaw(top, null, dir);
        Path midRaw = Qemu.toRaw(mid, null, dir);

        // Merge mid into base: top still reads the same, base now reads as mid did.
        Qcow2Image.commitInto(mid, base);
        Qemu.assertClean(base);
        Qemu.img("compare", "-f", "raw", "-F", "qcow2", midRaw.toString(), base.toString()).ok();
        Qemu.img("compare", "-f", "raw", "-F", "qcow2", topRaw.toString(), top.toString()).ok();

        // Then top points at base ("delete s1"): a stop after either write leaves mid or base as
        // its backing file, reading the same; done, mid is no longer needed.
        for (long cut = 0; cut < 2; cut++) {
            Path copy = Files.copy(top, dir.resolve("top-" + cut + ".qcow2"));
            final long k = cut;
            try (Qcow2Image t = Qcow2Image.open(copy, OpenOptions.readWrite().decorated(s -> new CrashingStorage(s, k)))) {
                assertThrows(CrashingStorage.SimulatedCrash.class, () -> t.replaceBackingFile("base.qcow2"));
            }
            Qemu.assertClean(copy);
            assertTrue(List.of("mid.qcow2", "base.qcow2").contains(backingOf(copy)), backingOf(copy));
            Qemu.img("compare", "-f", "raw", "-F", "qcow2", topRaw.toString(), copy.toString()).ok();
        }
        String midHash = Hashes.sha256(mid);
        try (Qcow2Image t = Qcow2Image.openForWrite(top)) {
            t.replaceBackingFile("base.qcow2");
            assertEquals("base.qcow2", t.backingFile());
        }
        assertEquals(midHash, Hashes.sha256(mid));
        Files.delete(mid);
        Qemu.assertClean(top);
        assertEquals("base.qcow2", backingOf(top));
        Qemu.img("compare", "-f", "raw", "-F", "qcow2", topRaw.toString(), top.toString()).ok();
        Qemu.img("info", "--backing-chain", top.toString()).ok();
    }

    private static String backingOf(Path image) throws Exception {
        for (String line : Qemu.img("info", "-U", image.toString()).ok().out().split("\n")) {
            if (line.startsWith("backing file:")) {
                return line.substring("backing file:".length()).trim().split(" ")[0];
            }
        }
        return null;
    }

    @Test
    void refusalsLeaveBothFilesUntouched() throws Exception {
        Path lower = lower("cluster_size=65536");
        Path upper = upper(lower, "cluster_size=65536");
        Path other = dir.resolve("other.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", other.toString(), "24M").ok();
        Path bigger = dir.resolve("bigger.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "lower.qcow2", "-F", "qcow2", bigger.toString(), "32M").ok();
        Qemu.io(bigger, "write -P 0x31 0 1M");
        Path bitmapped = dir.resolve("bitmapped.qcow2");
        Files.copy(lower, bitmapped);
        Qemu.img("bitmap", "--add", bitmapped.toString(), "b0").ok();
        Path onBitmapped = dir.resolve("on-bitmapped.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "bitmapped.qcow2", "-F", "qcow2", onBitmapped.toString()).ok();
        Qemu.io(onBitmapped, "write -P 0x32 0 1M");

        assertUntouched(upper, other, "backing file is lower.qcow2");
        assertUntouched(bigger, lower, "virtual sizes differ");
        assertUntouched(onBitmapped, bitmapped, "persistent bitmaps");
        assertUntouched(lower, upper, "no backing file");
    }

    @Test
    void refusedWhileAQemuHoldsEitherImage() throws Exception {
        Path lower = lower("cluster_size=65536");
        Path upper = upper(lower, "cluster_size=65536");
        String u = Hashes.sha256(upper);
        String l = Hashes.sha256(lower);
        for (Path held : List.of(upper, lower)) {
            try (io.blksnap.testing.QemuHolder ignored = io.blksnap.testing.QemuHolder.qemuIo(held)) {
                assertThrows(io.blksnap.storage.ImageInUseException.class, () -> Qcow2Image.commitInto(upper, lower),
                        held.getFileName().toString());
            }
        }
        // A QEMU holding only the upper image (backing= opens no backing file): the probe refuses.
        Process p = new ProcessBuilder("qemu-io", "--image-opts",
                "driver=qcow2,file.driver=file,file.filename=" + upper + ",backing=")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (Qemu.img("info", upper.toString()).exit() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(0, Qemu.img("info", lower.toString()).exit(), "the lower image is not held");
            assertThrows(io.blksnap.storage.ImageInUseException.class, () -> Qcow2Image.commitInto(upper, lower));
        } finally {
            p.destroy();
            p.waitFor();
        }
        assertEquals(u, Hashes.sha256(upper));
        assertEquals(l, Hashes.sha256(lower));
    }

    private void assertUntouched(Path upper, Path lower, String message) throws Exception {
        String u = Hashes.sha256(upper);
        String l = Hashes.sha256(lower);
        ImageException e = assertThrows(ImageException.class, () -> Qcow2Image.commitInto(upper, lower));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(u, Hashes.sha256(upper));
        assertEquals(l, Hashes.sha256(lower));
    }

    @Test
    void aFailedWriteLeavesTheLowerImageAsItWas() throws Exception {
        Path lower = lower("cluster_size=65536");
        Path upper = upper(lower, "cluster_size=65536");
        String before = Hashes.sha256(lower);
        // A disk that fills up after a few writes.
        int[] writes = {0};
        try (Qcow2Image l = Qcow2Image.open(lower, OpenOptions.readWrite().decorated(
                s -> new io.blksnap.testing.WriteHookStorage(s, (off, data) -> {
                    if (++writes[0] > 5) {
                        throw new IOException("No space left on device");
                    }
                })));
             Qcow2Image u = Qcow2Image.open(upper)) {
            assertThrows(IOException.class, () -> l.commit(u));
        }
        assertEquals(before, Hashes.sha256(lower));
    }

    /**
     * The prepared merge ({@link Qcow2Image#prepareCommit}) writes everything, reusing clusters a
     * deleted snapshot freed inside the lower file; its abort puts every byte back, its commit (the
     * header switch alone) makes the merge.
     */
    @Test
    void aPreparedMergeIsAbortedByteForByteOrCommittedBySwitching() throws Exception {
        Path lower = lower("cluster_size=65536");
        Qemu.io(lower, "write -P 0x16 8M 4M");
        Qemu.img("snapshot", "-c", "gone", lower.toString()).ok();
        Qemu.io(lower, "write -P 0x17 8M 4M");
        Qemu.img("snapshot", "-d", "gone", lower.toString()).ok(); // 4M of freed clusters inside the file
        Path upper = upper(lower, "cluster_size=65536");
        Path upperRaw = Qemu.toRaw(upper, null, dir);
        String before = Hashes.sha256(lower);
        byte[] head = Files.readAllBytes(lower);
        try (Qcow2Image l = Qcow2Image.openForWrite(lower); Qcow2Image u = Qcow2Image.open(upper)) {
            PreparedChange p = l.prepareCommit(u);
            assertTrue(p.mergeResult().dataClusters() > 0, p.mergeResult().toString());
            byte[] during = Files.readAllBytes(lower);
            assertTrue(java.util.Arrays.mismatch(head, 0, head.length, during, 0, head.length) >= 0,
                    "the prepare wrote nothing inside the old length (no freed cluster reused)");
            assertTrue(java.util.Arrays.mismatch(head, 0, 72, during, 0, 72) < 0, "the header changed before the commit");
            p.abort();
            assertEquals(before, Hashes.sha256(lower), "the abort left a byte changed");

            PreparedChange again = l.prepareCommit(u);
            assertTrue(!again.headerMark().equals(l.headerMark()), "switched before the commit");
            again.commit();
            assertEquals(again.headerMark(), l.headerMark());
        }
        Qemu.assertClean(lower);
        Qemu.img("compare", "-f", "raw", "-F", "qcow2", upperRaw.toString(), lower.toString()).ok();
    }

    /**
     * A disk that fills up at any point of a merge: the lower file stays byte for byte as it was,
     * also the free clusters inside it (left by a deleted snapshot), which the merge could
     * otherwise have used and not put back. Full means every write that grows the file fails
     * from then on; writes inside it still succeed, as on a real full disk.
     */
    @Test
    void aDiskFillingUpAnywhereInAMergeLeavesTheLowerFileAsItWas() throws Exception {
        Path lower = lower("cluster_size=65536");
        Path upper = upper(lower, "cluster_size=65536");
        Qemu.img("snapshot", "-d", "snap", lower.toString()).ok();
        try (io.blksnap.storage.FileStorage st = io.blksnap.storage.FileStorage.open(lower, false)) {
            ImageMetadata m = ImageMetadata.read(st);
            long free = 0;
            for (long c = 0; c < st.size() / 65536; c++) {
                free += m.refcounts.refcount(c) == 0 ? 1 : 0;
            }
            assertTrue(free > 0, "expected free clusters inside the lower file");
        }
        String before = Hashes.sha256(lower);
        // Which writes of a whole merge (on a copy) grow the file.
        Path counted = dir.resolve("counted");
        copyChain(dir, counted);
        List<Boolean> grows = new ArrayList<>();
        merge(counted, st -> new io.blksnap.testing.WriteHookStorage(st,
                (off, data) -> grows.add(off + data.length > st.size())));
        assertTrue(grows.contains(true), "the merge grows the file");
        for (int full = 0; full < grows.size(); full++) {
            if (!grows.get(full)) {
                continue;
            }
            int[] writes = {0};
            final int from = full;
            try (Qcow2Image l = Qcow2Image.open(lower, OpenOptions.readWrite().decorated(
                    st -> new io.blksnap.testing.WriteHookStorage(st, (off, data) -> {
                        if (writes[0]++ >= from && off + data.length > st.size()) {
                            throw new IOException("No space left on device");
                        }
                    })));
                 Qcow2Image u = Qcow2Image.open(upper)) {
                assertThrows(IOException.class, () -> l.commit(u));
            }
            assertEquals(before, Hashes.sha256(lower), "disk full from write " + full + " of " + grows.size() + " on");
        }
    }

    /** Stops the merge after every single write: the lower image is before or after, and check is clean. */
    @ParameterizedTest(name = "lower {0} / upper {1}")
    @CsvSource(delimiter = '|', value = {
            "cluster_size=65536|cluster_size=65536",
            "cluster_size=16384,extended_l2=on|cluster_size=4096"})
    void crashAfterEveryWriteLeavesBeforeOrAfter(String lowerOptions, String upperOptions) throws Exception {
        Path pristineLower = dir.resolve("lower.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", lowerOptions, pristineLower.toString(), "8M").ok();
        Qemu.io(pristineLower, "write -P 0x11 0 2M", "write -c -P 0x13 4M 256k");
        Qemu.img("snapshot", "-c", "snap", pristineLower.toString()).ok();
        Qemu.io(pristineLower, "write -P 0x14 1M 64k");
        Path pristineUpper = dir.resolve("upper.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", upperOptions, "-b", "lower.qcow2", "-F", "qcow2",
                pristineUpper.toString()).ok();
        Qemu.io(pristineUpper, "write -P 0x21 960k 192k", "write -z 1536k 64k", "write -P 0x22 6M 64k",
                "write -P 0x23 4M 4k");
        Path rawBefore = Qemu.toRaw(pristineLower, null, dir);
        Path rawAfter = Qemu.toRaw(pristineUpper, null, dir);
        Path snapRaw = Qemu.toRaw(pristineLower, "snap", dir);

        Path full = dir.resolve("full");
        copyChain(dir, full);
        AtomicReference<CrashingStorage> counter = new AtomicReference<>();
        merge(full, s -> {
            CrashingStorage c = new CrashingStorage(s, Long.MAX_VALUE);
            counter.set(c);
            return c;
        });
        long writes = counter.get().writes();
        assertTrue(writes > 3, "expected several writes, saw " + writes);
        Qemu.img("compare", "-f", "raw", "-F", "qcow2", rawAfter.toString(), full.resolve("lower.qcow2").toString()).ok();

        for (long k = 0; k < writes; k++) {
            Path run = dir.resolve("crash-" + k);
            copyChain(dir, run);
            final long cut = k;
            assertThrows(CrashingStorage.SimulatedCrash.class, () -> merge(run, s -> new CrashingStorage(s, cut)),
                    "crash after write " + k);
            Path img = run.resolve("lower.qcow2");
            Qemu.Result check = Qemu.check(img);
            assertTrue(check.exit() == 0, "after write " + k + " of " + writes + " qemu-img check says:\n"
                    + check.out() + check.err());
            Path raw = Qemu.toRaw(img, null, dir);
            assertTrue(Files.mismatch(raw, rawBefore) == -1 || Files.mismatch(raw, rawAfter) == -1,
                    "after write " + k + " the lower image is neither before nor after");
            assertEquals(-1, Files.mismatch(snapRaw, Qemu.toRaw(img, "snap", dir)));
        }
    }

    private static void copyChain(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String name : List.of("lower.qcow2", "upper.qcow2")) {
            Files.copy(from.resolve(name), to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void merge(Path chain, java.util.function.UnaryOperator<io.blksnap.storage.Storage> decorator)
            throws Exception {
        try (Qcow2Image l = Qcow2Image.open(chain.resolve("lower.qcow2"), OpenOptions.readWrite().decorated(decorator));
             Qcow2Image u = Qcow2Image.open(chain.resolve("upper.qcow2"))) {
            l.commit(u);
        } catch (CrashingStorage.SimulatedCrash crash) {
            throw crash;
        }
    }

    /**
     * An 8 GiB overlay with 290 MiB of data, in every one of its L2 tables (1 MiB every 64 MiB
     * beside larger writes), merges in a JVM limited to 64 MiB of heap.
     */
    @Test
    void aLargeSparseOverlayMergesInBoundedMemory() throws Exception {
        Path lower = dir.resolve("lower.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", lower.toString(), "8G").ok();
        Qemu.io(lower, "write -P 0x11 0 16M", "write -P 0x12 5G 16M");
        Path upper = dir.resolve("upper.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "lower.qcow2", "-F", "qcow2", upper.toString()).ok();
        List<String> writes = new ArrayList<>(List.of("write -P 0x21 8M 128M", "write -z 5G 8M",
                "write -P 0x22 8190M 2M"));
        for (int i = 2; i < 128; i++) {
            writes.add("write -P " + (0x40 + i) + " " + (i * 64 + 40) + "M 1M");
        }
        Qemu.io(upper, writes.toArray(String[]::new));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                MergeChild.class.getName(), upper.toString(), lower.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(600, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Qemu.assertClean(lower);
        Qemu.img("compare", "-f", "qcow2", "-F", "qcow2", upper.toString(), lower.toString()).ok();
        Qemu.io(lower, "read -P 0x21 8M 128M", "read -P 0 5G 8M", "read -P 0x12 5128M 8M", "read -P 0x22 8190M 2M");
        Qemu.io(lower, "read -P 0x42 168M 1M", "read -P 0xbf 8168M 1M");
    }

    /** The child process of {@link #aLargeSparseOverlayMergesInBoundedMemory}: merges argument 0 into 1. */
    public static final class MergeChild {
        public static void main(String[] args) throws IOException {
            System.out.println(Qcow2Image.commitInto(Path.of(args[0]), Path.of(args[1])));
        }
    }
}
