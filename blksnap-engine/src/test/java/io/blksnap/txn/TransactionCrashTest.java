package io.blksnap.txn;

import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.RamTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kills a process running group transactions ({@link CrashChild}) and judges what it left after
 * the next engine's recovery: every transaction happened on all its devices or on none, QEMU
 * finds every image and overlay clean and opens every device's backing chain, no overlay file is
 * left outside a chain, and a second recovery changes no byte.
 */
class TransactionCrashTest {

    @TempDir(factory = RamTempDir.class)
    Path dir;

    private GroupFixture f;
    private int rolledBack;
    private int rolledForward;
    /** How many transactions the last {@link #afterCrash} found unfinished. */
    private int lastResolved;

    /** A finished child: its exit code and what it printed. */
    record Run(int exit, List<String> lines) {
        /** The fault points it passed, in order: name and the image writes made before it. */
        List<Map.Entry<String, Integer>> points() {
            List<Map.Entry<String, Integer>> out = new ArrayList<>();
            for (String l : lines) {
                if (l.startsWith("point ")) {
                    String[] w = l.split(" ");
                    out.add(Map.entry(w[2], Integer.parseInt(w[3])));
                }
            }
            return out;
        }

        int writes() {
            for (String l : lines) {
                if (l.startsWith("points=")) {
                    return Integer.parseInt(l.substring(l.indexOf("writes=") + 7));
                }
            }
            throw new AssertionError("no summary in " + lines);
        }

        boolean has(String prefix) {
            return lines.stream().anyMatch(l -> l.startsWith(prefix));
        }
    }

    // ---------------------------------------------------------------- kills at random moments

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void killedAtRandomMomentsEveryGroupSnapshotIsOnAllDevicesOrNone() throws Exception {
        f = new GroupFixture(dir, 4, "8M", true);
        long seed = Long.getLong("blksnap.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        String seedNote = " (seed " + seed + ": -Dblksnap.crash.seed=" + seed + " repeats the kill times)";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int kills = 0;
        int committed = 0;
        int externals = 0;
        for (int run = 1; kills < 25 && System.nanoTime() < deadline; run++) {
            Path log = dir.resolve("logs/loop-" + run + ".txt");
            Process p = start(log, "loop", String.valueOf(run));
            try {
                // Kills land after a random number of committed transactions (so on a slow
                // machine too), a random moment into the next; every fifth while the child recovers.
                if (run % 5 == 0) {
                    awaitLines(p, log, "opening", 1);
                    Thread.sleep(random.nextInt(40));
                } else {
                    awaitLines(p, log, "committed", random.nextInt(4));
                    Thread.sleep(random.nextInt(120));
                }
                if (!p.isAlive()) {
                    fail("the child ended by itself (exit " + p.exitValue() + "):\n" + Files.readString(log)
                            + seedNote);
                }
            } finally {
                p.destroyForcibly();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            }
            kills++;
            List<String> lines = Files.readAllLines(log);
            committed += (int) lines.stream().filter(l -> l.startsWith("committed")).count();
            externals += (int) lines.stream().filter(l -> l.startsWith("committed external")).count();
            afterCrash("kill " + kills + seedNote, true);
        }
        System.out.printf("random kills: %d kills, %d transactions committed (%d external); recovery rolled back %d,"
                + " rolled forward %d%s%n", kills, committed, externals, rolledBack, rolledForward, seedNote);
        assertTrue(kills >= 5, "only " + kills + " kills in the time allowed" + seedNote);
        assertTrue(committed > 0, "the children committed no transaction" + seedNote);
    }

    // ---------------------------------------------------------------- halts at every point and write

    /**
     * One transaction of three devices (an internal snapshot, a deletion, an external snapshot),
     * halted at every fault point and instead of every image write in turn; then the same with
     * a failure at the last prepare, halted at every point and write of the undo (which only
     * truncates what the prepares appended).
     */
    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void haltedAtEveryPointAndEveryWriteOfOneTransaction() throws Exception {
        mixedFixture();
        Path backup = backup();

        Run full = child(0, "once", "mixed", "none");
        assertTrue(full.has("result COMMITTED"), full.lines().toString());
        List<Map.Entry<String, Integer>> points = full.points();
        int writes = full.writes();
        int commitWrites = writesAt(points, "commit");
        assertTrue(writes > commitWrites && commitWrites > 0, full.lines().toString());
        mixedOutcome("no halt", true, 0);
        int cases = 1;

        for (int k = 1; k <= points.size(); k++) {
            restore(backup);
            String at = points.get(k - 1).getKey();
            child(137, "once", "mixed", "point:" + k);
            mixedOutcome("halt at point " + k + " (" + at + ")", past(at), at.equals("end") ? 0 : 1);
            cases++;
        }
        for (int k = 1; k <= writes; k++) {
            restore(backup);
            child(137, "once", "mixed", "write:" + k);
            // halted instead of write k: writes 1..k-1 were made
            mixedOutcome("halt at write " + k + " of " + writes, k > commitWrites);
            cases++;
        }

        restore(backup);
        Run aborted = child(0, "once", "mixed", "none", "prepared:2");
        assertTrue(aborted.has("result ABORTED"), aborted.lines().toString());
        mixedOutcome("failure at prepared:2", false, 0);
        List<Map.Entry<String, Integer>> abortPoints = aborted.points();
        int failedAt = number(abortPoints, "prepared:2");
        int undoFrom = writesAt(abortPoints, "prepared:2");
        int abortWrites = aborted.writes();
        // The prepares appended their clusters: the undo truncates, and writes nothing back.
        assertEquals(undoFrom, abortWrites, "the undo wrote: " + aborted.lines());
        for (int k = failedAt + 1; k <= abortPoints.size(); k++) {
            restore(backup);
            child(137, "once", "mixed", "point:" + k, "prepared:2");
            mixedOutcome("failure at prepared:2, halt at point " + k + " (" + abortPoints.get(k - 1).getKey() + ")",
                    false);
            cases++;
        }
        for (int k = undoFrom + 1; k <= abortWrites; k++) {
            restore(backup);
            child(137, "once", "mixed", "write:" + k, "prepared:2");
            mixedOutcome("failure at prepared:2, halt at undo write " + k + " of " + abortWrites, false);
            cases++;
        }
        System.out.printf("halts: %d cases (%d points, %d writes; undo: %d points, %d writes)%n", cases,
                points.size(), writes, abortPoints.size() - failedAt, abortWrites - undoFrom);
    }

    // ---------------------------------------------------------------- recovery interrupted

    /**
     * A transaction halted before its commit record (rolled back by recovery) or just after it
     * (rolled forward); its recovery is then halted instead of every image write and at its
     * last point (images resolved, journal not yet ended), and run again to the end.
     */
    @Execution(ExecutionMode.CONCURRENT)
    @ParameterizedTest(name = "transaction halted at {0}")
    @ValueSource(strings = {"prepared:2", "commit"})
    void recoveryHaltedAnywhereAndRunAgainEndsTheSame(String crashAt) throws Exception {
        mixedFixture();
        Path pristine = backup();
        List<Map.Entry<String, Integer>> points = child(0, "once", "mixed", "none").points();
        restore(pristine);
        child(137, "once", "mixed", "point:" + number(points, crashAt));
        Path crashed = backup();
        boolean forward = past(crashAt);

        Run recovery = child(0, "recover", "none");
        int writes = recovery.writes();
        int recoveryPoints = recovery.points().size();
        assertEquals(List.of(Map.entry("recovered", writes)), recovery.points());
        if (forward) {
            assertTrue(writes > 0, "recovery wrote nothing: " + recovery.lines());
        } else {
            // nothing is switched before the commit record: a roll back has nothing to write
            assertEquals(0, writes, "the roll back wrote: " + recovery.lines());
        }
        mixedOutcome("recovery not interrupted", forward, 0);
        int cases = 1;
        for (int k = 1; k <= writes + recoveryPoints; k++) {
            String halt = k <= writes ? "write:" + k : "point:" + (k - writes);
            restore(crashed);
            child(137, "recover", halt);
            mixedOutcome("recovery halted at " + halt, forward);
            cases++;
        }
        System.out.printf("recovery after a halt at %s: %d cases (%d writes, %d points)%n", crashAt, cases, writes,
                recoveryPoints);
    }

    // ---------------------------------------------------------------- the fixture and the child

    /** Three devices, each with the snapshot "old" (and data written after it). */
    private void mixedFixture() throws Exception {
        f = new GroupFixture(dir, 3, "8M", true);
        Path disk0 = f.image("disk0");
        Qemu.img("snapshot", "-c", "old", disk0.toString()).ok();
        Qemu.io(disk0, "write -P 0x5a 512k 1M");
        for (String d : f.devices.subList(1, f.devices.size())) {
            Files.copy(disk0, f.image(d), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean past(String point) {
        return point.equals("commit") || point.startsWith("committed:") || point.equals("pivot")
                || point.equals("end");
    }

    /** The number (from 1) of the first point named {@code name}. */
    private static int number(List<Map.Entry<String, Integer>> points, String name) {
        for (int i = 0; i < points.size(); i++) {
            if (points.get(i).getKey().equals(name)) {
                return i + 1;
            }
        }
        throw new AssertionError("no point " + name + " in " + points);
    }

    private static int writesAt(List<Map.Entry<String, Integer>> points, String name) {
        return points.stream().filter(e -> e.getKey().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no point " + name + " in " + points)).getValue();
    }

    private Process start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), dir.toString()));
        cmd.addAll(List.of(args));
        Files.createDirectories(log.getParent());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    private int childRuns;

    /** Runs the child to its end; {@code expectExit} -1 takes any exit code. */
    private Run child(int expectExit, String... args) throws Exception {
        Path log = dir.resolve("logs/child-" + (++childRuns) + ".txt");
        Process p = start(log, args);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("child " + List.of(args) + " hung:\n" + Files.readString(log));
        }
        Run r = new Run(p.exitValue(), Files.readAllLines(log, StandardCharsets.UTF_8));
        if (expectExit >= 0 && r.exit() != expectExit) {
            fail("child " + List.of(args) + " exited " + r.exit() + ", expected " + expectExit + ":\n"
                    + String.join("\n", r.lines()));
        }
        return r;
    }

    /** Waits until the child has printed {@code count} lines starting with {@code prefix}. */
    private void awaitLines(Process p, Path log, String prefix, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.readAllLines(log).stream().filter(l -> l.startsWith(prefix)).count() >= count) {
                return;
            }
            if (!p.isAlive()) {
                fail("the child ended (exit " + p.exitValue() + ") before " + count + " lines " + prefix + ":\n"
                        + Files.readString(log));
            }
            Thread.sleep(5);
        }
        p.destroyForcibly();
        fail("the child never printed " + count + " lines " + prefix + ":\n" + Files.readString(log));
    }

    /** Copies images, overlays and state aside (the journal and overlays name absolute paths, so they go back in place). */
    private Path backup() throws IOException {
        Path b = Files.createTempDirectory(dir, "backup");
        for (String sub : List.of("images", "overlays", "state")) {
            copyTree(dir.resolve(sub), b.resolve(sub));
        }
        return b;
    }

    private void restore(Path backup) throws IOException {
        for (String sub : List.of("images", "overlays", "state")) {
            deleteTree(dir.resolve(sub));
            copyTree(backup.resolve(sub), dir.resolve(sub));
        }
    }

    /** Copies the tree {@code from} into {@code to} (nothing when it is missing); shared by the crash tests. */
    static void copyTree(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            return;
        }
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    // ---------------------------------------------------------------- the judgement

    /** Every device's chain, active layer first, after recovery. */
    record Chains(Map<String, List<Path>> chains, Map<String, Map<String, Integer>> names) {
        /** The snapshot names of a device, each with the depth of its layer (0 = the configured image). */
        Map<String, Integer> namesOf(String device) {
            return names.get(device);
        }
    }

    /**
     * Opens the engine (its recovery), then checks what any crash must leave: nothing pending,
     * the journal empty, a second recovery changing no byte, every chain opened by QEMU and ending
     * at the configured image, no stray overlay, no snapshot name twice on a device, all files
     * clean. With {@code groupNames}, every snapshot name is on every device, in the same layer.
     */
    private Chains afterCrash(String what, boolean groupNames) throws Exception {
        try (SnapshotEngine engine = SnapshotEngine.open(f.registry(), EngineOptions.defaults())) {
            assertEquals(List.of(), engine.startupRecovery().pending(), what);
            lastResolved = engine.startupRecovery().resolved().size();
            for (TransactionResult r : engine.startupRecovery().resolved()) {
                if (r.status() == TransactionStatus.ROLLED_BACK) {
                    rolledBack++;
                } else {
                    rolledForward++;
                }
            }
            try (Stream<Path> j = Files.list(dir.resolve("state/journal"))) {
                assertEquals(List.of(), j.toList(), what + ": journal not emptied by recovery");
            }
            Map<String, String> before = filesFingerprint();
            RecoveryReport again = engine.recover();
            assertEquals(List.of(), again.resolved(), what);
            assertEquals(List.of(), again.pending(), what);
            assertEquals(before, filesFingerprint(), what + ": a second recovery changed files");
        }
        DeviceRegistry reg = f.registry();
        QemuVerdicts look = new QemuVerdicts();
        Map<String, List<Path>> chains = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> names = new LinkedHashMap<>();
        for (String d : f.devices) {
            List<Path> chain = chain(reg.activeImage(d));
            assertEquals(f.image(d).toAbsolutePath().normalize(), chain.get(chain.size() - 1),
                    what + ": the chain of " + d + " does not end at its image: " + chain);
            look.assertChainOpens(chain.get(0), chain);
            Set<Path> overlays = new TreeSet<>();
            try (Stream<Path> s = Files.list(f.overlayDir(d))) {
                s.map(p -> p.toAbsolutePath().normalize()).forEach(overlays::add);
            }
            assertEquals(new TreeSet<>(chain.subList(0, chain.size() - 1)), overlays,
                    what + ": overlay files of " + d + " outside its chain (or missing)");
            Map<String, Integer> byName = new TreeMap<>();
            for (int i = 0; i < chain.size(); i++) {
                int depth = chain.size() - 1 - i;
                for (String n : look.snapshotNames(chain.get(i))) {
                    Integer was = byName.put(n, depth);
                    assertEquals(null, was, what + ": snapshot " + n + " twice on " + d);
                }
            }
            chains.put(d, chain);
            names.put(d, byName);
        }
        look.assertAllClean(dir.resolve("images"), dir.resolve("overlays"));
        if (groupNames) {
            String d0 = f.devices.get(0);
            for (String d : f.devices) {
                assertEquals(names.get(d0), names.get(d), what + ": the snapshots of " + d + " differ from " + d0
                        + "'s (name=layer depth): " + names);
                assertEquals(overlayNames(chains.get(d0)), overlayNames(chains.get(d)),
                        what + ": the external snapshots of " + d + " differ from " + d0 + "'s");
            }
        }
        return new Chains(chains, names);
    }

    private static List<String> overlayNames(List<Path> chain) {
        return chain.subList(0, chain.size() - 1).stream().map(p -> p.getFileName().toString()).toList();
    }

    /**
     * The mixed transaction (snapshot "new" on disk0, "old" deleted from disk1, disk2 moved to
     * overlay new.qcow2): all three effects, or none; and nothing else changed.
     */
    private void mixedOutcome(String what, boolean expectDone) throws Exception {
        mixedOutcome(what, expectDone, 1);
    }

    /** The same, with the number of unfinished transactions the recovery at open must have found. */
    private void mixedOutcome(String what, boolean expectDone, int unfinished) throws Exception {
        Chains c = afterCrash(what, false);
        assertEquals(unfinished, lastResolved, what + ": transactions recovered");
        Path overlay = f.overlayDir("disk2").resolve("new.qcow2").toAbsolutePath().normalize();
        Map<String, Boolean> done = new LinkedHashMap<>();
        done.put("snapshot new on disk0", c.namesOf("disk0").containsKey("new"));
        done.put("old deleted from disk1", !c.namesOf("disk1").containsKey("old"));
        done.put("disk2 moved to its overlay", c.chains().get("disk2").get(0).equals(overlay));
        if (new HashSet<>(done.values()).size() > 1) {
            fail(what + ": half a transaction: " + done);
        }
        assertEquals(expectDone, done.values().iterator().next(),
                what + ": expected " + (expectDone ? "all" : "none") + " of the transaction, found " + done);
        assertEquals(expectDone ? Map.of("old", 0, "new", 0) : Map.of("old", 0), c.namesOf("disk0"), what);
        assertEquals(expectDone ? Map.of() : Map.of("old", 0), c.namesOf("disk1"), what);
        assertEquals(Map.of("old", 0), c.namesOf("disk2"), what);
        assertEquals(expectDone ? 2 : 1, c.chains().get("disk2").size(), what);
    }

    private Map<String, String> filesFingerprint() throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String sub : List.of("images", "overlays", "state")) {
            Path root = dir.resolve(sub);
            if (Files.exists(root)) {
                QemuVerdicts.fingerprint(root).forEach((k, v) -> out.put(sub + "/" + k, v));
            }
        }
        return out;
    }

    private static List<Path> chain(Path active) throws IOException {
        List<Path> out = new ArrayList<>();
        Path p = active.toAbsolutePath().normalize();
        while (p != null) {
            assertTrue(Files.isRegularFile(p), "layer " + p + " does not exist (chain so far " + out + ")");
            assertTrue(out.size() < 64, "backing chain too long: " + out);
            out.add(p);
            String backing;
            try (Qcow2Image img = Qcow2Image.open(p)) {
                backing = img.backingFile();
            }
            p = backing == null ? null : p.getParent().resolve(backing).toAbsolutePath().normalize();
        }
        return out;
    }
}
