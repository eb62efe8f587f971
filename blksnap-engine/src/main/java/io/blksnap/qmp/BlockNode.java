package io.blksnap.qmp;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A qcow2 block node of a running QEMU as {@code query-named-block-nodes} reports it: how the
 * engine finds a live device's image and its internal snapshots without opening the file.
 *
 * @param nodeName    the node's name (what QMP's snapshot commands take as {@code device})
 * @param image       the image file QEMU has open
 * @param backing     the backing file name as recorded in the image, or null
 * @param readOnly    whether QEMU opened the node read-only
 * @param snapshots   its internal snapshots, in table order
 * @param virtualSize the disk's size as the guest sees it
 * @param externalDataFile whether the image keeps its data in an external data file
 */
public record BlockNode(String nodeName, String driver, Path image, String backing, boolean readOnly,
                        List<LiveSnapshot> snapshots, long virtualSize, boolean externalDataFile) {

    /** One internal snapshot entry as QMP lists it (the seed's id, name, sizes and clocks). */
    public record LiveSnapshot(String id, String name, long vmStateSize, long dateSec, long dateNsec,
                               long vmClockNsec) {
    }

    static BlockNode of(JsonNode n) {
        JsonNode img = n.path("image");
        List<LiveSnapshot> snaps = new ArrayList<>();
        for (JsonNode s : img.path("snapshots")) {
            snaps.add(new LiveSnapshot(s.path("id").asText(), s.path("name").asText(), s.path("vm-state-size").asLong(),
                    s.path("date-sec").asLong(), s.path("date-nsec").asLong(),
                    s.path("vm-clock-sec").asLong() * 1_000_000_000L + s.path("vm-clock-nsec").asLong()));
        }
        String backing = n.hasNonNull("backing_file") ? n.get("backing_file").asText() : null;
        return new BlockNode(n.path("node-name").asText(), n.path("drv").asText(),
                Path.of(img.path("filename").asText(n.path("file").asText())), backing, n.path("ro").asBoolean(),
                List.copyOf(snaps), img.path("virtual-size").asLong(),
                img.path("format-specific").path("data").has("data-file"));
    }
}
