package io.blksnap.qmp;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the engine asks of one running QEMU: its block nodes, its run state, and a pause that
 * leaves a VM that was already paused paused. Built on {@link QmpClient}.
 */
public final class LiveVm {

    private final QmpClient qmp;

    public LiveVm(QmpClient qmp) {
        this.qmp = qmp;
    }

    public QmpClient qmp() {
        return qmp;
    }

    /** Every named qcow2 node (auto-named file nodes such as {@code #block123} are not disks). */
    public List<BlockNode> blockNodes() throws QmpException {
        return qcow2Nodes(qmp.execute("query-named-block-nodes", Map.of("flat", true)));
    }

    /**
     * The node named {@code nameOrDevice}: a node name, or the name of a device (BlockBackend, from
     * {@code -drive id=...}), which is resolved to its top node through {@code query-block}.
     */
    public Optional<BlockNode> blockNode(String nameOrDevice) throws QmpException {
        return find(qcow2Nodes(qmp.execute("query-named-block-nodes", Map.of("flat", true))),
                topNode(nameOrDevice, qmp.execute("query-block")));
    }

    /** The named qcow2 nodes of a {@code query-named-block-nodes} reply. */
    public static List<BlockNode> qcow2Nodes(JsonNode reply) {
        List<BlockNode> nodes = new ArrayList<>();
        for (JsonNode n : reply) {
            if ("qcow2".equals(n.path("drv").asText()) && !n.path("node-name").asText().startsWith("#")) {
                nodes.add(BlockNode.of(n));
            }
        }
        return nodes;
    }

    /** The top node of device {@code nameOrDevice} in a {@code query-block} reply, else the name itself (a node name). */
    public static String topNode(String nameOrDevice, JsonNode queryBlock) {
        for (JsonNode dev : queryBlock) {
            if (nameOrDevice.equals(dev.path("device").asText()) && dev.path("inserted").hasNonNull("node-name")) {
                return dev.path("inserted").path("node-name").asText();
            }
        }
        return nameOrDevice;
    }

    public static Optional<BlockNode> find(List<BlockNode> nodes, String nodeName) {
        return nodes.stream().filter(n -> n.nodeName().equals(nodeName)).findFirst();
    }

    public boolean isRunning() throws QmpException {
        return qmp.execute("query-status").path("running").asBoolean();
    }

    /**
     * Pauses the VM if it runs. The returned pause resumes it on close, unless it was paused
     * before: a VM an operator paused stays paused. {@link Pause#millis} is the pause window.
     */
    public Pause pause(Duration timeout) throws QmpException {
        boolean wasRunning = isRunning();
        long start = System.nanoTime(); // from before the stop: the window is never under-reported
        if (wasRunning) {
            qmp.execute("stop", null, timeout);
        }
        return new Pause(wasRunning, start, timeout);
    }

    /** A pause in progress; closing it resumes the VM it stopped (try-with-resources resumes on failure too). */
    public final class Pause implements AutoCloseable {

        private final boolean resume;
        private final long startedNanos;
        private final Duration timeout;
        private long endedNanos;

        private Pause(boolean resume, long startedNanos, Duration timeout) {
            this.resume = resume;
            this.startedNanos = startedNanos;
            this.timeout = timeout;
        }

        /** Whether this pause stopped the VM (false when it was already paused). */
        public boolean stoppedIt() {
            return resume;
        }

        /** How long the VM has been (or was) paused by this pause, in milliseconds. */
        public double millis() {
            long end = endedNanos != 0 ? endedNanos : System.nanoTime();
            return (end - startedNanos) / 1e6;
        }

        @Override
        public void close() throws QmpException {
            if (endedNanos != 0) {
                return;
            }
            if (resume) {
                qmp.execute("cont", null, timeout);
            }
            endedNanos = System.nanoTime();
        }
    }
}
