package io.blksnap.group;

import io.blksnap.catalog.GroupCatalog;
import io.blksnap.catalog.GroupSnapshot;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.registry.Device;
import io.blksnap.retention.GroupPruner;
import io.blksnap.retention.PruneResult;
import io.blksnap.retention.RetentionPolicy;
import io.blksnap.txn.ExternalSnapshotRequest;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.InvalidRequestException;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.SnapshotRequest;
import io.blksnap.txn.Transaction;
import io.blksnap.txn.TransactionRecord;
import io.blksnap.txn.TransactionResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The operations on a device group that the Camel component, the command line and the queue share: each change
 * is one engine transaction over the group's devices (all change, or none does). A refused request changes
 * nothing and throws: {@link GroupRequestException} for the group, the engine's exceptions for a device.
 */
public final class GroupOperations {

    private final SnapshotEngine engine;
    private final Duration lockTimeout;

    /** Transactions wait for busy devices as long as the engine's {@code EngineOptions.lockTimeout}. */
    public GroupOperations(SnapshotEngine engine) {
        this(engine, null);
    }

    /** Transactions wait for busy devices at most {@code lockTimeout} (null: the engine-wide timeout). */
    public GroupOperations(SnapshotEngine engine, Duration lockTimeout) {
        this.engine = engine;
        this.lockTimeout = lockTimeout;
    }

    /** Snapshots every device of {@code group}, named {@code name}, taken at {@code time}. */
    public TransactionResult snapshot(String group, String name, SnapshotKind kind, Instant time) throws IOException {
        return snapshot(group, name, kind, time, false);
    }

    /**
     * As {@link #snapshot(String, String, SnapshotKind, Instant)}; with {@code memory} (internal
     * only) each running VM's memory is saved with its disks, an offline device getting a plain
     * internal snapshot.
     */
    public TransactionResult snapshot(String group, String name, SnapshotKind kind, Instant time, boolean memory)
            throws IOException {
        if (memory && kind != SnapshotKind.INTERNAL) {
            throw new GroupRequestException("group " + group + ": memory is saved with internal snapshots only");
        }
        List<SnapshotRequest> requests = new ArrayList<>();
        for (Device d : engine.registry().group(group)) {
            requests.add(kind != SnapshotKind.INTERNAL ? ExternalSnapshotRequest.create(d.name(), overlay(d, name))
                    : memory && d.live() ? InternalSnapshotRequest.createWithMemory(d.name(), name, time)
                    : InternalSnapshotRequest.create(d.name(), name, time));
        }
        return run(requests);
    }

    /**
     * Deletes the snapshot named {@code name} from every device of {@code group} that holds it: an
     * internal snapshot, or an external point (merged away, see {@link ExternalSnapshotRequest#delete}).
     */
    public TransactionResult delete(String group, String name) throws IOException {
        Set<String> holders = new LinkedHashSet<>();
        for (GroupSnapshot s : new GroupCatalog(engine).groupSnapshots(group)) {
            if (s.name().equals(name)) {
                holders.addAll(s.devices());
            }
        }
        List<SnapshotRequest> requests = new ArrayList<>();
        for (Device d : engine.registry().group(group)) {
            Path point = externalPoint(d, name);
            if (point != null) {
                requests.add(ExternalSnapshotRequest.delete(d.name(), point));
            } else if (holders.contains(d.name())) {
                requests.add(InternalSnapshotRequest.delete(d.name(), name));
            }
        }
        if (requests.isEmpty()) {
            throw new GroupRequestException("group " + group + " has no snapshot named \"" + name + "\"");
        }
        return run(requests);
    }

    /** Reverts every device of {@code group} to its snapshot named {@code name}, internal or an external point. */
    public TransactionResult apply(String group, String name) throws IOException {
        List<SnapshotRequest> requests = new ArrayList<>();
        for (Device d : engine.registry().group(group)) {
            Path point = externalPoint(d, name);
            requests.add(point != null ? ExternalSnapshotRequest.apply(d.name(), point)
                    : InternalSnapshotRequest.apply(d.name(), name));
        }
        return run(requests);
    }

    /** The overlay of the device's external point {@code name} (see {@link OverlayNaming#pointIn}), or null. */
    private Path externalPoint(Device d, String name) throws IOException {
        Path active = engine.registry().activeImage(d.name());
        if (!Files.exists(active)) {
            return null;
        }
        return OverlayNaming.pointIn(d, Qcow2Image.backingChain(active), name);
    }

    /**
     * Compensates transaction {@code transactionId} (see {@link SnapshotEngine#undo}), refused when it changed a
     * device outside {@code group}. A result without outcomes ran nothing (already undone, or never committed).
     */
    public TransactionResult undo(String group, String transactionId) throws IOException {
        Set<String> members = memberNames(group);
        TransactionRecord record = null;
        for (TransactionRecord t : engine.history()) {
            if (t.id().equals(transactionId)) {
                record = t;
            }
        }
        if (record != null) {
            for (SnapshotRequest r : record.requests()) {
                if (!members.contains(r.device())) {
                    throw new InvalidRequestException(r.device(), "transaction " + transactionId + " changed device "
                            + r.device() + ", which is not in group " + group);
                }
            }
        }
        return engine.undo(transactionId, lockTimeout);
    }

    /** Applies {@code policy} to the group snapshots of {@code group}: see {@link GroupPruner}. */
    public PruneResult prune(String group, RetentionPolicy policy, Instant now, ZoneId zone, boolean dryRun)
            throws IOException {
        return new GroupPruner(engine, lockTimeout).prune(group, policy, now, zone, dryRun);
    }

    private Set<String> memberNames(String group) throws IOException {
        Set<String> members = new LinkedHashSet<>();
        engine.registry().group(group).forEach(d -> members.add(d.name()));
        return members;
    }

    private static Path overlay(Device d, String name) throws GroupRequestException {
        try {
            return OverlayNaming.overlayFor(d, name);
        } catch (IllegalArgumentException e) {
            throw new GroupRequestException(e.getMessage(), e);
        }
    }

    private TransactionResult run(List<SnapshotRequest> requests) throws IOException {
        Transaction t = engine.begin();
        if (lockTimeout != null) {
            t.lockTimeout(lockTimeout);
        }
        t.addAll(requests);
        return t.submit();
    }
}
