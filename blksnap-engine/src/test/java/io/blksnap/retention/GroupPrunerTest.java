package io.blksnap.retention;

import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.TransactionStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Pruning real images: only blksnap's group snapshots, each as a whole, in one transaction. */
class GroupPrunerTest {

    @TempDir
    Path dir;

    @Test
    void prunesBlksnapGroupSnapshotsAsWholesAndNeverForeignOnes() throws Exception {
        GroupFixture f = GroupFixture.in(dir).group("g", "d0", "d1").size("8M").written("0").create();
        Qemu.img("snapshot", "-c", "foreign", f.image("d1").toString()).ok();
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        try (SnapshotEngine engine = f.engine()) {
            for (int day = 5; day >= 1; day--) {
                Instant t = now.minus(Duration.ofDays(day));
                engine.begin()
                        .add(InternalSnapshotRequest.create("d0", "day-" + day, t))
                        .add(InternalSnapshotRequest.create("d1", "day-" + day, t))
                        .submit();
            }
            RetentionPolicy keep2 = new RetentionPolicy(2, 0, 0, 0, 0, 0, null);
            String before0 = Hashes.sha256(f.image("d0"));
            PruneResult dry = new GroupPruner(engine).prune("g", keep2, now, ZoneOffset.UTC, true);
            assertEquals(3, dry.pruned().size());
            assertNull(dry.transaction());
            assertEquals(before0, Hashes.sha256(f.image("d0")), "a dry run changes nothing");

            PruneResult real = new GroupPruner(engine).prune("g", keep2, now, ZoneOffset.UTC, false);
            assertEquals(TransactionStatus.COMMITTED, real.transaction().status());
            assertEquals(6, real.transaction().outcomes().size(), "3 group snapshots x 2 devices, one transaction");
            assertEquals(List.of("day-2", "day-1"), Qemu.snapshotNames(f.image("d0")));
            assertEquals(List.of("foreign", "day-2", "day-1"), Qemu.snapshotNames(f.image("d1")));
            assertEquals("last", real.kept().get(0).rule());

            PruneResult again = new GroupPruner(engine).prune("g", keep2, now, ZoneOffset.UTC, false);
            assertEquals(0, again.pruned().size());
            assertNull(again.transaction());
        }
        Qemu.assertClean(f.image("d0"));
        Qemu.assertClean(f.image("d1"));
    }
}
