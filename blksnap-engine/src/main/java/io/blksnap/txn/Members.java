package io.blksnap.txn;

import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The members of one transaction, in request order. */
final class Members {

    private final List<Member<?>> list;

    private Members(List<Member<?>> list) {
        this.list = List.copyOf(list);
    }

    /**
     * The one dispatch on the request kind: a new kind is one class and one case here. (Java 17
     * has no switch over a sealed type's records, so each record switches over its operations,
     * exhaustively.)
     */
    static Member<?> of(int index, SnapshotRequest r, DeviceAccess device) {
        if (r instanceof InternalSnapshotRequest i) {
            return switch (i.operation()) {
                case CREATE -> new InternalCreate(index, i, device);
                case DELETE -> new InternalDelete(index, i, device);
                case APPLY -> new InternalApply(index, i, device);
            };
        }
        if (r instanceof ExternalSnapshotRequest e) {
            return switch (e.operation()) {
                case CREATE -> new ExternalCreate(index, e, device);
                case DELETE -> new ExternalDelete(index, e, device);
                case APPLY -> new ExternalApply(index, e, device);
            };
        }
        throw new IllegalArgumentException("no member class for " + r.getClass().getName());
    }

    static Members of(List<SnapshotRequest> requests, Devices devices) {
        List<Member<?>> out = new ArrayList<>(requests.size());
        for (SnapshotRequest r : requests) {
            out.add(of(out.size(), r, devices.get(r.device())));
        }
        return new Members(out);
    }

    List<Member<?>> all() {
        return list;
    }

    Member<?> get(int index) {
        return list.get(index);
    }

    /** Last first: the order in which prepared work is undone. */
    List<Member<?>> reversed() {
        List<Member<?>> out = new ArrayList<>(list);
        java.util.Collections.reverse(out);
        return out;
    }

    Set<String> devices() {
        Set<String> out = new LinkedHashSet<>();
        list.forEach(m -> out.add(m.request.device()));
        return out;
    }

    /** Each device's members in request order; devices in the order they first appear. */
    Collection<List<Member<?>>> byDevice() {
        Map<String, List<Member<?>>> out = new LinkedHashMap<>();
        list.forEach(m -> out.computeIfAbsent(m.request.device(), d -> new ArrayList<>()).add(m));
        return out.values();
    }

    void setAll(Step step) {
        list.forEach(m -> m.step = step);
    }

    /** The first member with an error (the one the transaction aborts for), or null. */
    Member<?> firstFailed() {
        return list.stream().filter(m -> m.error != null).findFirst().orElse(null);
    }

    /** Moves every device that has a new active layer to it, all in one registry write; false when none moves. */
    boolean pivot(DeviceRegistry registry) throws IOException {
        Map<String, Path> moves = new LinkedHashMap<>();
        for (Member<?> m : list) {
            if (m.pivotTo() != null) {
                moves.put(m.request.device(), m.pivotTo());
            }
        }
        if (!moves.isEmpty()) {
            registry.pivot(moves);
        }
        return !moves.isEmpty();
    }

    /** Past the pivot: each member removes what its change left in no chain; {@code after} runs after each removal. */
    void finish(MemberStep after) throws IOException {
        for (Member<?> m : list) {
            if (m.finish()) {
                after.run(m);
            }
        }
    }

    /** A step after one member's work (a fault point). */
    interface MemberStep {
        void run(Member<?> m) throws IOException;
    }

    TransactionResult result(String id, TransactionStatus status, String failedDevice, String reason) {
        return new TransactionResult(id, status, list.stream().map(Member::outcome).toList(), failedDevice, reason);
    }
}
