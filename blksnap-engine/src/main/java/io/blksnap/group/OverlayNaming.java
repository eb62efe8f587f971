package io.blksnap.group;

import io.blksnap.registry.Device;

import java.nio.file.Path;
import java.util.List;

/**
 * Where an external snapshot's overlay goes: {@code <overlayDir>/<device>-<snapshot>.qcow2}. Named after the
 * device rather than its active layer's file, because the active layer changes with every pivot (a name built
 * on it grows, {@code vm0-a-b-c.qcow2}), while a configured device name is stable and unique in the registry.
 * A device named by its image path (image files given on the command line) is called by that file's stem.
 */
public final class OverlayNaming {

    private OverlayNaming() {
    }

    /** @throws IllegalArgumentException when {@code snapshotName} is not {@link GroupSnapshotNames#checkFileSafe file-safe} */
    public static Path overlayFor(Device device, String snapshotName) {
        GroupSnapshotNames.checkFileSafe(snapshotName);
        return device.overlayDir().resolve(label(device) + "-" + snapshotName + ".qcow2").toAbsolutePath().normalize();
    }

    /**
     * The overlay of external snapshot point {@code snapshotName} in a device's chain (active image
     * first), or null when the chain has none: the point is that overlay's backing image.
     */
    public static Path pointIn(Device device, List<Path> chain, String snapshotName) {
        Path overlay;
        try {
            overlay = overlayFor(device, snapshotName);
        } catch (IllegalArgumentException e) {
            return null; // a name no overlay can carry
        }
        int at = chain.indexOf(overlay);
        return at >= 0 && at + 1 < chain.size() ? overlay : null;
    }

    /**
     * The name of the external snapshot whose overlay is {@code overlay} ({@link #overlayFor}'s inverse), or
     * null when the file is not one of the device's overlays.
     */
    public static String pointName(Device device, Path overlay) {
        Path file = overlay.toAbsolutePath().normalize();
        String prefix = label(device) + "-";
        String fileName = file.getFileName().toString();
        if (!fileName.startsWith(prefix) || !fileName.endsWith(".qcow2") || fileName.length() <= prefix.length() + 6) {
            return null;
        }
        String name = fileName.substring(prefix.length(), fileName.length() - ".qcow2".length());
        try {
            return overlayFor(device, name).equals(file) ? name : null;
        } catch (IllegalArgumentException e) {
            return null; // not a name blksnap gives
        }
    }

    private static String label(Device device) {
        String name = device.name();
        if (name.indexOf('/') < 0) {
            return name; // a configured name: never holds a separator
        }
        return Path.of(name).getFileName().toString().replaceFirst("\\.qcow2$", "");
    }
}
