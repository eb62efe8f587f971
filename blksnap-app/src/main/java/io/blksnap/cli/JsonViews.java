package io.blksnap.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.blksnap.qcow2.CheckResult;
import io.blksnap.qcow2.ImageInfo;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.txn.ExternalSnapshotRequest;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.RecoveryReport;
import io.blksnap.txn.RequestOutcome;
import io.blksnap.txn.SnapshotRequest;
import io.blksnap.txn.TransactionResult;

import java.util.List;

/**
 * The --json output of each command. These records are the stable contract of the JSON
 * field names (camelCase); they copy from the engine's types field by field so that a change
 * in the engine cannot rename a field silently. Absent values are written as null, never left out.
 */
final class JsonViews {

    private JsonViews() {
    }

    @JsonPropertyOrder({"id", "name", "vmStateSize", "dateSec", "dateNsec", "vmClockNsec", "icount", "diskSize"})
    record SnapshotJson(String id, String name, long vmStateSize, long dateSec, long dateNsec, long vmClockNsec,
                        long icount, long diskSize) {
        static SnapshotJson of(Snapshot s) {
            return new SnapshotJson(s.id(), s.name(), s.vmStateSize(), s.dateSec(), s.dateNsec(), s.vmClockNsec(),
                    s.icount(), s.diskSize());
        }

        static List<SnapshotJson> of(List<Snapshot> snapshots) {
            return snapshots.stream().map(SnapshotJson::of).toList();
        }
    }

    @JsonPropertyOrder({"filename", "format", "virtualSize", "clusterSize", "compat", "refcountBits", "extendedL2",
            "lazyRefcounts", "compressionType", "encrypted", "corrupt", "dirty", "externalDataFile", "backingFile",
            "backingFormat", "backingChain", "fileLength", "allocatedBytes", "snapshotCount", "snapshots"})
    record InfoJson(String filename, String format, long virtualSize, int clusterSize, String compat,
                    int refcountBits, boolean extendedL2, boolean lazyRefcounts, String compressionType,
                    boolean encrypted, boolean corrupt, boolean dirty, boolean externalDataFile, String backingFile,
                    String backingFormat, List<BackingJson> backingChain, long fileLength, long allocatedBytes,
                    int snapshotCount, List<SnapshotJson> snapshots) {
        static InfoJson of(ImageInfo i, List<Snapshot> snapshots) {
            return new InfoJson(i.filename(), "qcow2", i.virtualSize(), i.clusterSize(), i.compat(), i.refcountBits(),
                    i.extendedL2(), i.lazyRefcounts(), i.compressionType(), i.encrypted(), i.corrupt(), i.dirty(),
                    i.externalDataFile(), i.backingFile(), i.backingFormat(),
                    i.backingChain().stream().map(BackingJson::of).toList(), i.fileLength(), i.allocatedBytes(),
                    i.snapshotCount(), SnapshotJson.of(snapshots));
        }
    }

    @JsonPropertyOrder({"filename", "format", "virtualSize"})
    record BackingJson(String filename, String format, long virtualSize) {
        static BackingJson of(ImageInfo.BackingLayer b) {
            return new BackingJson(b.filename(), b.format(), b.virtualSize());
        }
    }

    /** {@code repairedLeaks}: leaks fixed by --repair; the other counts are those found after any repair. */
    @JsonPropertyOrder({"filename", "format", "leakedClusters", "corruptions", "repairedLeaks", "imageEndOffset",
            "totalClusters", "allocatedClusters", "messages"})
    record CheckJson(String filename, String format, long leakedClusters, long corruptions, long repairedLeaks,
                     long imageEndOffset, long totalClusters, long allocatedClusters, List<String> messages) {
        static CheckJson of(String filename, CheckResult r, long repairedLeaks) {
            return new CheckJson(filename, "qcow2", r.leakedClusters(), r.corruptions(), repairedLeaks,
                    r.imageEndOffset(), r.totalClusters(), r.allocatedClusters(), r.messages());
        }
    }

    @JsonPropertyOrder({"id", "status", "failedDevice", "reason", "outcomes"})
    record TransactionJson(String id, String status, String failedDevice, String reason, List<OutcomeJson> outcomes) {
        static TransactionJson of(TransactionResult r) {
            return new TransactionJson(r.id(), r.status().name(), r.failedDevice(), r.reason(),
                    r.outcomes().stream().map(OutcomeJson::of).toList());
        }
    }

    @JsonPropertyOrder({"device", "type", "operation", "name", "overlay", "step", "snapshotId", "error"})
    record OutcomeJson(String device, String type, String operation, String name, String overlay, String step,
                       String snapshotId, String error) {
        static OutcomeJson of(RequestOutcome o) {
            SnapshotRequest r = o.request();
            String name = r instanceof InternalSnapshotRequest i ? i.name() : null;
            String overlay = r instanceof ExternalSnapshotRequest e ? e.overlay().toString() : null;
            return new OutcomeJson(o.device(), r instanceof InternalSnapshotRequest ? "internal" : "external",
                    r.operation().name(), name, overlay, o.step().name(), o.snapshotId(), o.error());
        }
    }

    @JsonPropertyOrder({"resolved", "pending"})
    record RecoveryJson(List<TransactionJson> resolved, List<String> pending) {
        static RecoveryJson of(RecoveryReport r) {
            return new RecoveryJson(r.resolved().stream().map(TransactionJson::of).toList(), r.pending());
        }
    }
}
