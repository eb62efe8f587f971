package io.blksnap.txn;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-written journal lines are exactly what Jackson reads back, for every record shape. */
class JournalLineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static void roundTrip(JournalRecord r) throws Exception {
        assertEquals(r, JSON.readValue(JournalLine.encode(r), JournalRecord.class));
    }

    @Test
    void everyRecordShapeRoundTrips() throws Exception {
        List<SnapshotRequest> requests = List.of(
                InternalSnapshotRequest.create("disk0", "nightly \"q\" \\ \n\t\u0001 é", Instant.ofEpochSecond(1_790_000_000L, 42)),
                InternalSnapshotRequest.deleteById("/abs/path/vm.qcow2", "7", "old"),
                InternalSnapshotRequest.apply("disk1", "base"),
                InternalSnapshotRequest.createWithMemory("disk2", "mem", Instant.ofEpochSecond(1_790_000_000L, 7)),
                ExternalSnapshotRequest.create("disk2", Path.of("/srv/overlays/disk 2-ext.qcow2")),
                ExternalSnapshotRequest.useExisting("disk3", Path.of("/srv/overlays/pre-made.qcow2")));
        roundTrip(JournalRecord.begin("tx-20261126-004500-1a2b3c", 1_790_000_000_123L, requests));
        roundTrip(JournalRecord.step(3, Step.CREATED, "12", null));
        roundTrip(JournalRecord.step(0, Step.INVALIDATED, null, "why \"not\""));
        roundTrip(JournalRecord.live(List.of("/run/vm1/qmp.sock", "/run/vm \"2\"/qmp.sock"), List.of("/run/vm1/qga.sock")));
        roundTrip(JournalRecord.live(List.of(), List.of()));
        roundTrip(JournalRecord.commit());
        roundTrip(JournalRecord.end(TransactionStatus.ABORTED, "disk3: image is in use"));
        roundTrip(JournalRecord.end(TransactionStatus.COMMITTED, null));
    }
}
