package io.blksnap.txn;

import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.RamTempDir;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * External delete and revert on {@code base (s1) <- ov1 (s2) <- ov2 (active)} with one failure
 * injected in turn at every fault point and at image writes of the merge (once, and from there
 * on), as {@link TransactionFaultTest} does for the other kinds. Afterwards (and after
 * {@code recover()} where the journal was left) the change is made or not at all: the device and
 * every point read as QEMU read them after a clean run or before it, the chain is the one or the
 * other, every file checks clean, and a change that did not happen without recovery left every file
 * byte for byte as it was.
 */
class ExternalChainFaultTest {

    @TempDir(factory = RamTempDir.class)
    Path dir;

    private GroupFixture f;
    private Path pristine;

    /** The device and its files after a clean run ({@code ALL}) and before it ({@code NONE}). */
    private record State(Map<String, String> contents, List<Path> chain, Map<String, String> files) {
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"delete s1", "delete s2", "apply s1"})
    void everyFailureLeavesTheChangeMadeOrNotAtAll(String op) throws Exception {
        f = GroupFixture.in(dir.resolve("f")).disks(1).size("4M").written("1M").create();
        ChainOracle.build(f, 3);
        pristine = dir.resolve("pristine");
        TransactionCrashTest.copyTree(f.dir, pristine);
        State none = state();

        TransactionFaultTest.Faults ok = TransactionFaultTest.Faults.none();
        assertEquals(Boolean.TRUE, run(op, ok));
        State all = state();
        reset();
        List<String> points = List.copyOf(new LinkedHashSet<>(ok.points));
        long writes = ok.writes.get();
        long commitWrites = ok.writesAtPoint.get("commit");
        assertTrue(op.startsWith("apply") || commitWrites > 4, op + ": the merge wrote " + commitWrites);

        List<Object[]> cases = new ArrayList<>();
        for (String p : points) {
            boolean past = p.equals("commit") || p.startsWith("committed:") || p.equals("pivot")
                    || p.startsWith("finished:") || p.equals("end");
            cases.add(new Object[] {"failure at " + p, new TransactionFaultTest.Faults(Set.of(p), -1, false), past});
        }
        long stride = Math.max(1, writes / 5);
        for (long k = 0; k < writes; k = k + stride > commitWrites && k < commitWrites ? commitWrites : k + stride) {
            boolean past = k >= commitWrites;
            cases.add(new Object[] {"failure of write " + k, new TransactionFaultTest.Faults(Set.of(), k, false), past});
            cases.add(new Object[] {"failure of writes " + k + "..", new TransactionFaultTest.Faults(Set.of(), k, true),
                    past});
        }
        for (Object[] c : cases) {
            String what = op + ", " + c[0];
            boolean expectDone = (Boolean) c[2];
            Boolean committed = run(op, (TransactionFaultTest.Faults) c[1]);
            boolean recovered = journalEntries() > 0;
            if (recovered) {
                try (SnapshotEngine engine = f.engine()) {
                    RecoveryReport report = engine.startupRecovery();
                    assertEquals(List.of(), report.pending(), what);
                    assertEquals(expectDone ? TransactionStatus.ROLLED_FORWARD : TransactionStatus.ROLLED_BACK,
                            report.resolved().get(0).status(), what);
                }
            } else if (committed != null) { // null: it threw past its end record ("end"), the images judge
                assertEquals(expectDone, committed, what);
            }
            assertEquals(0, journalEntries(), what + ": journal left");
            State seen = state();
            State expected = expectDone ? all : none;
            assertEquals(expected.contents(), seen.contents(), what + ": what QEMU reads");
            assertEquals(expected.chain(), seen.chain(), what + ": the chain");
            assertEquals(expected.files().keySet(), seen.files().keySet(), what + ": the files");
            if (!expectDone && !recovered) {
                assertEquals(expected.files(), seen.files(), what + ": a file changed");
            }
            f.assertAllClean();
            reset();
        }
        System.out.printf("%s: %d cases (%d points, %d writes, %d before the commit)%n", op, cases.size(),
                points.size(), writes, commitWrites);
    }

    /** Runs the operation; true committed, false aborted, null when submit threw (past the commit point). */
    private Boolean run(String op, TransactionFaultTest.Faults faults) throws Exception {
        String[] w = op.split(" ");
        Path overlay = ChainOracle.overlay(f, "disk0", w[1]);
        try (SnapshotEngine engine = SnapshotEngine.open(f.registry(),
                EngineOptions.defaults().withParallelism(1).withFaults(faults))) {
            Transaction t = engine.begin().add(w[0].equals("delete") ? ExternalSnapshotRequest.delete("disk0", overlay)
                    : ExternalSnapshotRequest.apply("disk0", overlay));
            try {
                return t.submit().committed();
            } catch (IOException e) {
                return null;
            } finally {
                faults.armed = false;
            }
        }
    }

    private State state() throws Exception {
        return new State(ChainOracle.contents(f, dir), ChainOracle.chain(f.registry().activeImage("disk0")),
                f.fingerprint());
    }

    private long journalEntries() throws IOException {
        Path j = f.stateDir().resolve("journal");
        if (!Files.exists(j)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(j)) {
            return s.count();
        }
    }

    private void reset() throws IOException {
        TransactionCrashTest.deleteTree(f.dir);
        TransactionCrashTest.copyTree(pristine, f.dir);
    }
}
