package io.blksnap.qcow2;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The rules a new snapshot name must follow, and QEMU's way of choosing the next id. */
public final class SnapshotNames {

    /** Longest name accepted, in UTF-8 bytes (the format allows 65535; tools choke long before). */
    public static final int MAX_NAME_BYTES = 255;

    private SnapshotNames() {
    }

    /** Throws a {@link SnapshotException} naming the problem when {@code name} cannot be used. */
    public static void validate(String name) throws SnapshotException {
        if (name == null || name.isEmpty()) {
            throw new SnapshotException("snapshot name must not be empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new SnapshotException("snapshot name is longer than " + MAX_NAME_BYTES + " bytes");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new SnapshotException("snapshot name contains a control character");
            }
        }
    }

    /** Largest numeric id + 1; ids that are not numbers count as 0 (as in QEMU). */
    static String nextId(List<SnapshotEntry> entries) {
        long max = 0;
        for (SnapshotEntry e : entries) {
            try {
                max = Math.max(max, Long.parseLong(e.snapshot().id()));
            } catch (NumberFormatException ignored) {
                // not numeric: counts as 0
            }
        }
        return Long.toString(max + 1);
    }
}
