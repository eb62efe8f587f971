package io.blksnap.qmp;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Live merges with QEMU's {@code block-commit} job, run by {@link QmpJob}: undoing an external
 * snapshot (the active overlay into its base) and merging a middle layer of a chain into the layer
 * below it. A {@code blockdev-del} of an overlay that was not committed first succeeds too, and
 * silently drops every guest write made since the snapshot: that is why the delete only ever
 * follows a commit that concluded.
 */
public final class BlockCommit {

    private BlockCommit() {
    }

    /** {@link #activeCommit(QmpClient, String, JobOptions, long)} without progress or speed limit. */
    public static JobResult activeCommit(QmpClient qmp, String overlayNode, Duration timeout) throws QmpException {
        return activeCommit(qmp, overlayNode, JobOptions.of(timeout), 0);
    }

    /**
     * Commits the active overlay node {@code overlayNode} into its backing node, completes the job
     * when it is ready (the guest then writes to the backing node), and removes the overlay node
     * with {@code blockdev-del}. The overlay's file is left for the caller to delete.
     *
     * @param bytesPerSecond QEMU's {@code speed}: 0 for no limit
     * @throws QmpException the commit failed or timed out (then the overlay stays the active layer,
     *                      with all its data), or the node could not be removed after the merge
     */
    public static JobResult activeCommit(QmpClient qmp, String overlayNode, JobOptions options, long bytesPerSecond)
            throws QmpException {
        Map<String, Object> args = arguments("commit", overlayNode, bytesPerSecond);
        JobResult r = QmpJob.run(qmp, "block-commit", args, options.completingWhenReady());
        try {
            qmp.execute("blockdev-del", Map.of("node-name", overlayNode));
        } catch (QmpException e) {
            throw new QmpException(qmp.socket(), "the overlay " + overlayNode + " was merged into its backing node"
                    + " by job " + r.id() + ", but removing its node failed: " + e.getMessage(), e.errorClass(), e);
        }
        return r;
    }

    /** {@link #commit(QmpClient, String, String, JobOptions, long)} without progress or speed limit. */
    public static JobResult commit(QmpClient qmp, String topNode, String baseNode, Duration timeout)
            throws QmpException {
        return commit(qmp, topNode, baseNode, JobOptions.of(timeout), 0);
    }

    /**
     * Merges the non-active layers from {@code topNode} down to (not including) {@code baseNode}
     * into {@code baseNode}. QEMU then links the layer above {@code topNode} to {@code baseNode}
     * (rewriting its backing file name) and drops the merged layers from the chain; merged layers
     * that were named nodes of their own ({@code -blockdev}/{@code blockdev-add}) are removed with
     * {@code blockdev-del} so their files are no longer open.
     *
     * @throws QmpException the nodes are not one chain with {@code topNode} above {@code baseNode}
     *                      and below the active layer, or the job failed or timed out (then the
     *                      chain is as before)
     */
    public static JobResult commit(QmpClient qmp, String topNode, String baseNode, JobOptions options,
                                   long bytesPerSecond) throws QmpException {
        Chain chain = Chain.of(qmp, topNode, baseNode);
        Map<String, Object> args = arguments("merge", chain.root, bytesPerSecond);
        args.put("top-node", topNode);
        args.put("base-node", baseNode);
        JobResult r = QmpJob.run(qmp, "block-commit", args, options);
        for (String merged : chain.merged) {
            if (namedNodes(qmp).containsKey(merged)) {
                qmp.execute("blockdev-del", Map.of("node-name", merged));
            }
        }
        return r;
    }

    private static Map<String, Object> arguments(String purpose, String device, long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("a commit speed is bytes per second, 0 for no limit: " + bytesPerSecond);
        }
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("job-id", QmpJob.newId(purpose));
        args.put("device", device);
        // keep the concluded job so its error can be read; QmpJob dismisses it
        args.put("auto-dismiss", false);
        if (bytesPerSecond > 0) {
            args.put("speed", bytesPerSecond);
        }
        return args;
    }

    /** Every named node (not QEMU's {@code #blockNNN}), by name, as {@code query-named-block-nodes} has it. */
    private static Map<String, JsonNode> namedNodes(QmpClient qmp) throws QmpException {
        Map<String, JsonNode> nodes = new LinkedHashMap<>();
        for (JsonNode n : qmp.execute("query-named-block-nodes")) {
            String name = n.path("node-name").asText();
            if (!name.startsWith("#")) {
                nodes.put(name, n);
            }
        }
        return nodes;
    }

    /**
     * Where {@code top} sits: the root (active) node whose chain holds it, which {@code block-commit}
     * needs as {@code device}, and the named nodes that the commit merges away. QMP names no backing
     * node, only its file, so layers are matched by the file each node has open.
     */
    private record Chain(String root, List<String> merged) {

        static Chain of(QmpClient qmp, String top, String base) throws QmpException {
            Map<String, JsonNode> nodes = namedNodes(qmp);
            if (!nodes.containsKey(top) || !nodes.containsKey(base)) {
                throw new QmpException(qmp.socket(), "cannot merge " + top + " into " + base + ": no node named "
                        + (nodes.containsKey(top) ? base : top), "GenericError", null);
            }
            String topFile = file(nodes.get(top).path("image"));
            String root = null;
            int rootDepth = -1;
            for (Map.Entry<String, JsonNode> n : nodes.entrySet()) {
                List<String> files = files(n.getValue());
                if (files.contains(topFile) && files.size() > rootDepth) {
                    root = n.getKey();
                    rootDepth = files.size();
                }
            }
            List<String> below = files(nodes.get(top));
            String baseFile = file(nodes.get(base).path("image"));
            if (root == null || root.equals(top) || !below.subList(1, below.size()).contains(baseFile)) {
                throw new QmpException(qmp.socket(), "cannot merge " + top + " into " + base + ": " + top
                        + (root == null || root.equals(top) ? " is the active layer (undo it with an active commit)"
                        : " is not above " + base + " in one backing chain"), "GenericError", null);
            }
            List<String> mergedFiles = below.subList(0, below.indexOf(baseFile));
            List<String> merged = new ArrayList<>();
            for (Map.Entry<String, JsonNode> n : nodes.entrySet()) {
                if (mergedFiles.contains(file(n.getValue().path("image")))) {
                    merged.add(n.getKey());
                }
            }
            return new Chain(root, List.copyOf(merged));
        }

        /** The files of a node's chain, the node's own first. */
        private static List<String> files(JsonNode node) {
            List<String> files = new ArrayList<>();
            for (JsonNode img = node.path("image"); img.isObject(); img = img.path("backing-image")) {
                files.add(file(img));
            }
            return files;
        }

        private static String file(JsonNode image) {
            return image.path("filename").asText();
        }
    }
}
