package io.blksnap.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One benchmark scenario. Setup makes template images, then gives each side its own
 * byte-identical copy: the blksnap side's images live in {@code blksnap/}, the qemu-img side's in
 * {@code qemu-img/}. One iteration (on either side) must leave the images with the snapshots
 * they had after setup.
 */
abstract class Scenario implements AutoCloseable {

    /** The same image as the two sides see it. */
    record Pair(Path blksnap, Path qemuImg) {
    }

    protected final Config config;
    protected final List<Pair> pairs = new ArrayList<>();

    Scenario(Config config) {
        this.config = config;
    }

    abstract String name();

    /** The speedup this scenario is meant to reach. */
    abstract double target();

    abstract int defaultIterations();

    /** Builds the templates in {@code setupDir}, returning them (they are then moved/copied). */
    abstract List<Path> makeTemplates(Path setupDir) throws Exception;

    /** One timed blksnap iteration, in-process, using snapshot name {@code snap}. */
    abstract void blksnapIteration(String snap) throws Exception;

    /** One timed qemu-img iteration: child processes, using snapshot name {@code snap}. */
    abstract void qemuImgIteration(String snap) throws Exception;

    /** The snapshots every image must list after setup and after the benchmark. */
    List<String> baselineSnapshots() {
        return List.of();
    }

    /**
     * Fewest blksnap-only JIT warm-up iterations: enough engine operations (hundreds of create and
     * delete calls) for the hot loops to be compiled before timing starts.
     */
    int minJitIterations() {
        return 100;
    }

    /** What the blksnap side does, for a {@code #} line. */
    abstract String describe();

    /**
     * Makes the templates, then hands each side an identical copy: the qemu-img side gets a
     * durable (fsynced) copy, the blksnap side the template itself (saving one copy of a big
     * image; the bytes are the same).
     */
    final void setup(Path dir) throws Exception {
        Path setupDir = Files.createDirectories(dir.resolve("setup"));
        Path bDir = Files.createDirectories(dir.resolve("blksnap"));
        Path qDir = Files.createDirectories(dir.resolve("qemu-img"));
        for (Path t : makeTemplates(setupDir)) {
            Path q = qDir.resolve(t.getFileName());
            Path b = bDir.resolve(t.getFileName());
            Files2.sync(t);
            Files2.copyDurably(t, q);
            Files.move(t, b, StandardCopyOption.ATOMIC_MOVE);
            if (Files.size(b) != Files.size(q)) {
                throw new BenchException("copy of " + t + " differs in size");
            }
            pairs.add(new Pair(b, q));
        }
        Files2.deleteTree(setupDir);
    }

    /**
     * Before timing: a snapshot blksnap makes must be one qemu-img accepts, and deleting it must
     * leave a clean image. Run on the first blksnap-side image.
     */
    void probe() throws Exception {
        Path img = pairs.get(0).blksnap();
        Ops.blksnapCreate(img, "bench-probe");
        Tools.requireClean(img);
        List<String> names = Tools.snapshotNames(img);
        if (!names.contains("bench-probe")) {
            throw new BenchException("qemu-img does not list the snapshot blksnap made: " + names);
        }
        Ops.blksnapDelete(img, "bench-probe");
        Tools.requireClean(img);
    }

    /** After timing: every image of both sides is clean and has exactly its baseline snapshots. */
    final int verify() throws IOException, InterruptedException {
        List<String> want = baselineSnapshots();
        int n = 0;
        for (Pair p : pairs) {
            for (Path img : List.of(p.blksnap(), p.qemuImg())) {
                Tools.requireClean(img);
                List<String> names = Tools.snapshotNames(img);
                if (!names.equals(want)) {
                    throw new BenchException(img + " lists " + names.size() + " snapshots, expected "
                            + want.size() + (names.size() > want.size() ? " (a snapshot was left over)" : ""));
                }
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
    }
}
