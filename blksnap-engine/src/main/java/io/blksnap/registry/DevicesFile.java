package io.blksnap.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;

/**
 * The shape of {@code config/devices.yaml}:
 * <pre>
 * stateDir: work/state
 * devices:
 *   - name: vm1-disk0
 *     image: work/demo/vm1-disk0.qcow2
 *     overlayDir: work/demo/overlays
 * groups:
 *   demo: [vm1-disk0]
 * </pre>
 * Relative paths are relative to the directory the engine is started in.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
record DevicesFile(String stateDir, List<DeviceEntry> devices, Map<String, List<String>> groups) {

    record DeviceEntry(String name, String image, String overlayDir, String qmpSocket, String node,
                       String guestAgentSocket) {
    }
}
