package io.blksnap.bench;

import io.blksnap.testing.Qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

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

    /** Untimed alternating iterations per side before timing, unless BENCH_WARMUP says otherwise. */
    int defaultWarmup() {
        return 3;
    }

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
     * delete calls) for the hot loops to be compiled before timing starts; one for a side that
     * starts a cold JVM per operation, where it only warms the page cache.
     */
    int minJitIterations() {
        return inProcess() ? 100 : 1;
    }

    /**
     * Whether the blksnap side runs in this JVM, so JIT warm-up (BENCH_JIT_MS) means something;
     * a side that starts a new JVM per operation only gets {@link #minJitIterations()}.
     */
    boolean inProcess() {
        return true;
    }

    /** Right before the timed pairs (after probe, JIT and warm-up iterations). */
    void beforeTiming() throws Exception {
    }

    /** After the timed pairs, before {@link #verify}: e.g. stop what holds the images. */
    void beforeVerify() throws Exception {
    }

    /** More {@code name=value} fields for the RESULT line, each with a leading space; none by default. */
    String extraResult() {
        return "";
    }

    /** A {@code #} line of the scenario's own figures, or null. */
    String extraDiagnostics() {
        return null;
    }

    /** What the blksnap side does, for a {@code #} line. */
    abstract String describe();

    /** Set when {@link #setup} has left complete templates in place for a later scenario. */
    boolean templatesKept;

    /** Where this scenario's data goes (images of both sides, state); set before {@link #describe}. */
    protected Path dir;

    /**
     * Hands each side an identical copy of the templates: the qemu-img side gets a durable
     * (fsynced) copy, the blksnap side the template itself (saving one copy of a big image; the
     * bytes are the same) unless the templates are to be kept for a later scenario, when it too
     * gets a durable copy.
     *
     * @param templateDir where the templates are, or are made when {@code built} is false
     * @param built       an earlier scenario of this run made the templates in {@code templateDir}
     * @param keep        a later scenario of this run needs the templates: leave them in place
     * @return whether templates were made (false: an earlier scenario's were used)
     */
    final boolean setup(Path dir, Path templateDir, boolean built, boolean keep) throws Exception {
        this.dir = dir;
        Path bDir = Files.createDirectories(dir.resolve("blksnap"));
        Path qDir = Files.createDirectories(dir.resolve("qemu-img"));
        List<Path> templates;
        if (built) {
            try (Stream<Path> s = Files.list(templateDir)) {
                templates = s.sorted().toList();
            }
            if (templates.isEmpty()) {
                throw new BenchException("no templates in " + templateDir);
            }
        } else {
            Files2.deleteTree(templateDir);
            templates = makeTemplates(Files.createDirectories(templateDir));
            for (Path t : templates) {
                Files2.sync(t);
            }
        }
        for (Path t : templates) {
            Path q = qDir.resolve(t.getFileName());
            Path b = bDir.resolve(t.getFileName());
            Files2.copyDurably(t, q);
            if (keep) {
                Files2.copyDurably(t, b);
            } else {
                Files.move(t, b, StandardCopyOption.ATOMIC_MOVE);
            }
            if (Files.size(b) != Files.size(q)) {
                throw new BenchException("copy of " + t + " differs in size");
            }
            pairs.add(new Pair(b, q));
        }
        if (keep) {
            templatesKept = true;
        } else {
            Files2.deleteTree(templateDir);
        }
        return !built;
    }

    /**
     * Before timing: a snapshot blksnap makes must be one qemu-img accepts, and deleting it must
     * leave a clean image. Run on the first blksnap-side image.
     */
    void probe() throws Exception {
        Path img = pairs.get(0).blksnap();
        Ops.blksnapCreate(img, "bench-probe");
        Qemu.assertClean(img);
        List<String> names = Qemu.snapshotNames(img);
        if (!names.contains("bench-probe")) {
            throw new BenchException("qemu-img does not list the snapshot blksnap made: " + names);
        }
        Ops.blksnapDelete(img, "bench-probe");
        Qemu.assertClean(img);
    }

    /** After timing: every image of both sides is clean and has exactly its baseline snapshots. */
    final int verify() throws IOException, InterruptedException {
        List<String> want = baselineSnapshots();
        int n = 0;
        for (Pair p : pairs) {
            for (Path img : List.of(p.blksnap(), p.qemuImg())) {
                Qemu.assertClean(img);
                List<String> names = Qemu.snapshotNames(img);
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
