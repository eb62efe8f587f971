package io.blksnap.txn;

import com.fasterxml.jackson.databind.JsonNode;
import io.blksnap.qmp.BlockNode;
import io.blksnap.qmp.LiveVm;
import io.blksnap.qmp.QmpClient;
import io.blksnap.qmp.QmpException;
import io.blksnap.qmp.VmState;

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
    /**
     * The nodes whose creates save the VM's memory, by the order of their requests (prepares run
     * at once, in any order): the first one holds the state. All under {@link #memoryTag}.
     */
    private final java.util.TreeMap<Integer, String> memoryByOrder = new java.util.TreeMap<>();
    private final List<String> memoryNodes = new ArrayList<>();
    private String memoryTag;
    /** The memory nodes that had a snapshot named {@link #memoryTag} before the save (never deleted by an abort). */
    private final java.util.Set<String> hadTag = new java.util.HashSet<>();
    /** The staged loads of a snapshot with memory: device name to its node, under {@link #loadTag}. */
    private final Map<String, String> loads = new java.util.LinkedHashMap<>();
    private String loadTag;
    private String loadVmstateNode;
    private List<String> loadDevicesOfVm = List.of();
    private boolean loaded;
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
        return !actions.isEmpty() || !memoryNodes.isEmpty();
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

    /**
     * Stages an internal snapshot of {@code node} that the VM's {@code snapshot-save} makes, with
     * the VM's state (the add refused a VM's disks asking for memory mixed with others).
     */
    synchronized StagedCreate stageWithMemory(String node, String name, int order) throws IOException {
        if (memoryTag != null && !memoryTag.equals(name)) {
            throw new InvalidRequestException(node, "one VM's memory is saved under one name, \"" + memoryTag
                    + "\", not also \"" + name + "\"");
        }
        if (!actions.isEmpty()) {
            throw new InvalidRequestException(node, "the VM's memory is saved with all of its disks in the transaction");
        }
        StagedCreate s = new StagedCreate(node, name);
        if (outcome == Outcome.NOT_RUN) {
            staged.add(s);
            memoryTag = name;
            memoryByOrder.put(order, node);
            memoryNodes.clear();
            memoryNodes.addAll(memoryByOrder.values());
        }
        return s;
    }

    /** Stages the revert of {@code device}'s {@code node} to {@code name}, which one {@code snapshot-load} makes. */
    synchronized Prepared stageLoad(String device, String node, String id, String name, boolean hasState,
                                    List<String> devicesOfVm) {
        if (loadTag == null) {
            loadTag = name;
        }
        if (!loadTag.equals(name)) {
            loadTag = ""; // mixed names: refused by checkLoads
        }
        loads.put(device, node);
        if (hasState) {
            loadVmstateNode = node;
        }
        loadDevicesOfVm = List.copyOf(devicesOfVm);
        return Prepared.atCommit(id, this::load);
    }

    /**
     * Before the commit record: one VM's memory goes back only with all of its disks, to one
     * snapshot that holds the state (else some disk would run on data the memory never saw).
     */
    synchronized void checkLoads() throws IOException {
        if (loads.isEmpty()) {
            return;
        }
        String first = "'" + loads.values().iterator().next() + "'";
        if (loadTag.isEmpty()) {
            throw new IOException("node " + first + ": the disks of one VM are loaded back to one snapshot with memory,"
                    + " by one name");
        }
        List<String> missing = new ArrayList<>(loadDevicesOfVm);
        missing.removeAll(loads.keySet());
        if (!missing.isEmpty()) {
            throw new IOException("node " + first + ": a snapshot with memory is loaded back with every disk of the VM"
                    + " at " + socket + ": " + missing + " not in this transaction");
        }
        if (loadVmstateNode == null) {
            throw new IOException("node " + first + ": no disk of the VM holds the state of \"" + loadTag + "\"");
        }
    }

    /** Loads the staged snapshot with memory once for all the VM's disks (QEMU resumes a VM that ran). */
    private synchronized void load() throws IOException {
        if (loaded) {
            return;
        }
        checkLoads();
        VmState.load(qmp(), loadTag, loadVmstateNode, List.copyOf(loads.values()), TRANSACTION_TIMEOUT);
        loaded = true;
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
    synchronized void runTransaction() throws IOException {
        if (!memoryNodes.isEmpty()) {
            save();
            return;
        }
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

    /**
     * Saves the VM's state into the first memory node and snapshots every memory node, one
     * {@code snapshot-save} job (QEMU makes all or, by its own checks, none; a job that fails late
     * may leave some made, so an abort deletes the name where it was not before). A name that
     * appeared on some node since the add's check is refused here: QEMU refuses it only when every
     * node has it, and would otherwise add a second snapshot of that name.
     */
    private void save() throws IOException {
        for (String node : memoryNodes) {
            if (idOf(vm().blockNodes(), node, memoryTag) != null) {
                hadTag.add(node);
            }
        }
        if (!hadTag.isEmpty()) {
            outcome = Outcome.REFUSED;
            String node = memoryNodes.stream().filter(hadTag::contains).findFirst().orElseThrow();
            throw new IOException("a snapshot named \"" + memoryTag + "\" already exists on node '" + node + "'");
        }
        try {
            VmState.save(qmp(), memoryTag, memoryNodes.get(0), memoryNodes, TRANSACTION_TIMEOUT);
            outcome = Outcome.MADE;
        } catch (QmpException e) {
            outcome = Outcome.UNKNOWN;
            throw e;
        }
        List<BlockNode> nodes = vm.blockNodes();
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
            boolean before;
            synchronized (VmSession.this) {
                before = hadTag.contains(node);
            }
            if ((o == Outcome.MADE || o == Outcome.UNKNOWN) && !before) {
                deleteIfPresent(node, null, name);
            }
        }
    }
}
