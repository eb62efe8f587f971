package io.blksnap.txn;

import com.fasterxml.jackson.databind.JsonNode;
import io.blksnap.qmp.BlockNode;
import io.blksnap.qmp.LiveVm;
import io.blksnap.qmp.QmpClient;
import io.blksnap.qmp.QmpException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One running VM as one transaction (or check, or recovery) sees it: one QMP connection shared by
 * all its devices, and the snapshot actions their prepares staged, which go to QEMU as one QMP
 * {@code transaction} (QEMU makes all of them or, rolling back itself, none).
 */
final class VmSession implements AutoCloseable {

    /** The wait for an ordinary QMP reply. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** The wait for the VM's transaction, which syncs every image it changes. */
    static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(60);

    /** Where the VM's QMP transaction stands. */
    enum Outcome {
        /** Not sent. */
        NOT_RUN,
        /** QEMU made every action. */
        MADE,
        /** QEMU refused it and rolled back every action itself. */
        REFUSED,
        /** No reply (timeout, connection lost): its actions may or may not be made. */
        UNKNOWN
    }

    private final Path socket;
    private final Path guestAgentSocket;
    private final List<StagedCreate> staged = new ArrayList<>();
    /** Every staged action, in order: the creates' and the overlays' switches. */
    private final List<Map<String, Object>> actions = new ArrayList<>();
    private QmpClient qmp;
    private LiveVm vm;
    /**
     * QEMU's {@code query-named-block-nodes} and {@code query-block} replies, asked once and kept
     * until this session changes the VM's block layer: a transaction's checks, prepares and id
     * lookups then cost one query per VM instead of several per device (the device locks keep
     * other transactions off these nodes meanwhile).
     */
    private JsonNode namedNodes;
    private JsonNode blockDevices;
    private Outcome outcome = Outcome.NOT_RUN;

    VmSession(Path socket, Path guestAgentSocket) {
        this.socket = socket;
        this.guestAgentSocket = guestAgentSocket;
    }

    Path socket() {
        return socket;
    }

    /** The VM's guest agent socket, or null. */
    Path guestAgentSocket() {
        return guestAgentSocket;
    }

    /** Connects on first use (a check of an offline group never connects). */
    synchronized LiveVm vm() throws QmpException {
        if (vm == null) {
            qmp = connect(socket);
            vm = new LiveVm(qmp);
        }
        return vm;
    }

    /** Connects to a VM's QMP socket (the one place the engine's QMP wait is chosen). */
    static QmpClient connect(Path socket) throws QmpException {
        return QmpClient.connect(socket, TIMEOUT);
    }

    synchronized QmpClient qmp() throws QmpException {
        vm();
        return qmp;
    }

    /** Every node as {@code query-named-block-nodes} shows it (with its backing chain). */
    synchronized JsonNode namedNodes() throws QmpException {
        if (namedNodes == null) {
            namedNodes = qmp().execute("query-named-block-nodes");
        }
        return namedNodes;
    }

    /** The named qcow2 nodes. */
    synchronized List<BlockNode> blockNodes() throws QmpException {
        return LiveVm.qcow2Nodes(namedNodes());
    }

    /** The qcow2 node named {@code nameOrDevice}, a node name or a device name (see {@link LiveVm#blockNode}). */
    synchronized java.util.Optional<BlockNode> blockNode(String nameOrDevice) throws QmpException {
        if (blockDevices == null) {
            blockDevices = qmp().execute("query-block");
        }
        return LiveVm.find(blockNodes(), LiveVm.topNode(nameOrDevice, blockDevices));
    }

    /** This session changed the VM's block layer (or may have): the next question asks QEMU again. */
    synchronized void changed() {
        namedNodes = null;
        blockDevices = null;
    }

    synchronized boolean hasStaged() {
        return !actions.isEmpty();
    }

    synchronized Outcome outcome() {
        return outcome;
    }

    /** Stages an internal snapshot of {@code node} into the VM's transaction. */
    synchronized StagedCreate stage(String node, String name) {
        StagedCreate s = new StagedCreate(node, name);
        if (outcome == Outcome.NOT_RUN) {
            staged.add(s);
            actions.add(action("blockdev-snapshot-internal-sync", Map.of("device", node, "name", name)));
        }
        return s;
    }

    /** Stages the switch of {@code node} to its overlay node {@code overlay} (added already) into the VM's transaction. */
    synchronized void stageOverlay(String node, String overlay) {
        actions.add(action("blockdev-snapshot", Map.of("node", node, "overlay", overlay)));
    }

    private static Map<String, Object> action(String type, Map<String, Object> data) {
        return Map.of("type", type, "data", data);
    }

    /**
     * Sends every staged action as one QMP transaction, then reads the ids QEMU gave the new
     * snapshots. QEMU's error reply means it made none of them; no reply leaves them unknown.
     */
    synchronized void runTransaction() throws QmpException {
        try {
            qmp().execute("transaction", Map.of("actions", actions), TRANSACTION_TIMEOUT);
            outcome = Outcome.MADE;
        } catch (QmpException e) {
            outcome = e.errorClass() != null ? Outcome.REFUSED : Outcome.UNKNOWN;
            throw e;
        } finally {
            changed();
        }
        List<BlockNode> nodes = blockNodes();
        for (StagedCreate s : staged) {
            s.id = idOf(nodes, s.node, s.name);
        }
    }

    private static String idOf(List<BlockNode> nodes, String node, String name) {
        for (BlockNode n : nodes) {
            if (n.nodeName().equals(node)) {
                for (BlockNode.LiveSnapshot s : n.snapshots()) {
                    if (s.name().equals(name)) {
                        return s.id();
                    }
                }
            }
        }
        return null;
    }

    /** Deletes the snapshot {@code name} (and {@code id}, when given) of {@code node}, if it is there. */
    void deleteIfPresent(String node, String id, String name) throws QmpException {
        if (id != null) {
            // both known (a prepared delete): ask QEMU directly, its "does not exist" meaning done already
            try {
                qmp().execute("blockdev-snapshot-delete-internal-sync", Map.of("device", node, "id", id, "name", name),
                        TRANSACTION_TIMEOUT);
            } catch (QmpException e) {
                if (e.errorClass() == null || e.getMessage() == null || !e.getMessage().contains("does not exist")) {
                    throw e;
                }
            } finally {
                changed();
            }
            return;
        }
        String found = idOf(blockNodes(), node, name);
        if (found != null) {
            try {
                qmp().execute("blockdev-snapshot-delete-internal-sync", Map.of("device", node, "id", found, "name", name),
                        TRANSACTION_TIMEOUT);
            } finally {
                changed();
            }
        }
    }

    /** The node named {@code node} as {@code query-named-block-nodes} shows it (with its chain), or null. */
    JsonNode namedNode(String node) throws QmpException {
        for (JsonNode n : namedNodes()) {
            if (node.equals(n.path("node-name").asText())) {
                return n;
            }
        }
        return null;
    }

    @Override
    public synchronized void close() {
        if (qmp != null) {
            qmp.close();
        }
    }

    /** One staged internal snapshot: made by the VM's transaction, undone by deleting it. */
    final class StagedCreate implements Prepared {
        private final String node;
        private final String name;
        private volatile String id;

        private StagedCreate(String node, String name) {
            this.node = node;
            this.name = name;
        }

        @Override
        public String snapshotId() {
            return id;
        }

        /**
         * Made already by the VM's transaction before the commit record. One staged outside a
         * transaction (recovery making a committed create again) is made alone here.
         */
        @Override
        public void commit() throws IOException {
            synchronized (VmSession.this) {
                if (staged.contains(this) && outcome == Outcome.MADE) {
                    return;
                }
            }
            try {
                qmp().execute("blockdev-snapshot-internal-sync", Map.of("device", node, "name", name), TRANSACTION_TIMEOUT);
            } finally {
                changed();
            }
            id = idOf(blockNodes(), node, name);
        }

        /** Deletes it if the VM's transaction made it, or may have (no reply): found by its name. */
        @Override
        public void abort() throws IOException {
            Outcome o = outcome();
            if (o == Outcome.MADE || o == Outcome.UNKNOWN) {
                deleteIfPresent(node, null, name);
            }
        }
    }
}
