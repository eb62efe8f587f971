package io.blksnap.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuVm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the job tests do to a running QEMU's disks besides the code under test. */
final class LiveDisks {

    private LiveDisks() {
    }

    /** Runs a qemu-io command on {@code node} inside QEMU, as a guest write would change it. */
    static void qemuIo(QmpClient qmp, String node, String command) throws QmpException {
        JsonNode out = qmp.execute("human-monitor-command",
                Map.of("command-line", "qemu-io " + node + " \"" + command + "\""));
        // only lookup errors come back here; qemu-io's own output goes to QEMU's stdout
        assertEquals("", out.asText(), "qemu-io " + node + " " + command);
    }

    /** An external snapshot taken live: a new overlay file over {@code base}'s image becomes the active layer. */
    static Path addOverlay(QmpClient qmp, Path dir, String baseNode, Path baseImage, String overlayNode)
            throws Exception {
        Path ov = dir.resolve(overlayNode + ".qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", baseImage.toString(), "-F", "qcow2", ov.toString()).ok();
        qmp.execute("blockdev-add", Map.of("driver", "qcow2", "node-name", overlayNode,
                "file", Map.of("driver", "file", "filename", ov.toString()), "backing",
                NullNode.getInstance()));
        qmp.execute("blockdev-snapshot", Map.of("node", baseNode, "overlay", overlayNode));
        return ov;
    }

    /** The ids of the jobs QEMU still has. */
    static List<String> jobs(QmpClient qmp) throws QmpException {
        List<String> ids = new ArrayList<>();
        qmp.execute("query-jobs").forEach(j -> ids.add(j.path("id").asText()));
        return ids;
    }

    /** The names of the named nodes QEMU has open. */
    static List<String> nodes(QmpClient qmp) throws QmpException {
        List<String> names = new ArrayList<>();
        for (JsonNode n : qmp.execute("query-named-block-nodes")) {
            if (!n.path("node-name").asText().startsWith("#")) {
                names.add(n.path("node-name").asText());
            }
        }
        return names;
    }

    /** Asks QEMU to exit and waits for it, so the images are closed and unlocked. */
    static void quit(QmpClient qmp, QemuVm vm) throws Exception {
        qmp.execute("quit");
        if (!vm.awaitExit(20)) {
            throw new AssertionError("QEMU did not exit after quit");
        }
    }
}
