package io.blksnap.txn;

import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.RamTempDir;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process deleting or reverting to an external point of a two-device group ({@link CrashChild})
 * halts (as abruptly as SIGKILL) at every fault point and at sampled image writes of the merge;
 * then an engine opens, which recovers. The group's change is made on both devices or on neither:
 * what QEMU reads through each device and each point, and each chain, are those of a clean run or
 * of the start; every file checks clean.
 */
class ExternalChainCrashTest {

    @TempDir(factory = RamTempDir.class)
    Path dir;

    private record State(Map<String, String> contents, List<List<Path>> chains) {
    }

    /**
     * The newest point's delete (merge, switch, pivot back, removal) halts at every point; the
     * others, whose steps before the commit are the same prepare, from the last prepare on.
     */
    @ParameterizedTest(name = "{0}, from point {1}, {2} writes sampled")
    @CsvSource({"extdelete:s2,1,2", "extdelete:s1,3,1", "extapply:s1,3,0"})
    void aCrashAnywhereIsRecoveredToAllOrNothing(String shape, int firstPoint, int sampledWrites) throws Exception {
        GroupFixture f = GroupFixture.in(dir.resolve("f")).disks(2).size("4M").written("1M").create();
        ChainOracle.build(f, 3);
        Path pristine = dir.resolve("pristine");
        TransactionCrashTest.copyTree(f.dir, pristine);
        State none = state(f);

        TransactionFaultTest.Faults count = TransactionFaultTest.Faults.none();
        try (SnapshotEngine engine = SnapshotEngine.open(f.registry(),
                EngineOptions.defaults().withParallelism(1).withFaults(count))) {
            Transaction t = engine.begin();
            CrashChild.requests(f.registry(), shape).forEach(r -> {
                try {
                    t.add(r);
                } catch (InvalidRequestException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(t.submit().committed(), shape);
        }
        State all = state(f);
        List<String> points = List.copyOf(count.points);
        long commitWrites = count.writesAtPoint.get("commit");

        List<String> halts = new ArrayList<>();
        List<Boolean> past = new ArrayList<>();
        for (int k = firstPoint; k <= points.size(); k++) {
            halts.add("point:" + k);
            past.add(k - 1 >= points.indexOf("commit"));
        }
        for (int i = 1; i <= sampledWrites; i++) {
            long w = Math.max(1, commitWrites * i / (sampledWrites + 1));
            halts.add("write:" + w);
            past.add(false);
        }
        if (sampledWrites > 0) {
            halts.add("write:" + (commitWrites + 1)); // the first switch
            past.add(true);
        }
        for (int i = 0; i < halts.size(); i++) {
            String what = shape + " halted at " + halts.get(i);
            TransactionCrashTest.deleteTree(f.dir);
            TransactionCrashTest.copyTree(pristine, f.dir);
            String log = CrashChild.runHalting(f.dir, "once", shape, halts.get(i));
            try (SnapshotEngine engine = f.engine()) {
                assertEquals(List.of(), engine.startupRecovery().pending(), what + "\n" + log);
            }
            State seen = state(f);
            assertEquals(past.get(i) ? all : none, seen, what + "\n" + log);
            f.assertAllClean();
        }
        System.out.printf("%s: %d halts (%d points, %d writes before the commit)%n", shape, halts.size(),
                points.size(), commitWrites);
    }

    private State state(GroupFixture f) throws Exception {
        List<List<Path>> chains = new ArrayList<>();
        for (String d : f.devices) {
            chains.add(ChainOracle.chain(f.registry().activeImage(d)));
        }
        return new State(ChainOracle.contents(f, dir), chains);
    }
}
