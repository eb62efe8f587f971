package io.blksnap.qcow2;

import java.util.List;

/**
 * How a caller names an existing snapshot: by name, by id, by both (which must then match one
 * snapshot), or QEMU-style by a string tried first as an id, then as a name.
 */
public record SnapshotRef(String id, String name, boolean idOrName) {

    public static SnapshotRef byName(String name) {
        return new SnapshotRef(null, name, false);
    }

    public static SnapshotRef byId(String id) {
        return new SnapshotRef(id, null, false);
    }

    public static SnapshotRef byIdAndName(String id, String name) {
        return new SnapshotRef(id, name, false);
    }

    /** As {@code qemu-img snapshot -a}: an id if one matches, else a name. */
    public static SnapshotRef byIdOrName(String s) {
        return new SnapshotRef(s, s, true);
    }

    SnapshotEntry find(List<SnapshotEntry> entries) throws SnapshotException {
        if (idOrName) {
            for (SnapshotEntry e : entries) {
                if (e.snapshot().id().equals(id)) {
                    return e;
                }
            }
            return byName(name).find(entries);
        }
        for (SnapshotEntry e : entries) {
            Snapshot s = e.snapshot();
            if ((id == null || s.id().equals(id)) && (name == null || s.name().equals(name))) {
                return e;
            }
        }
        throw new SnapshotException(describe() + " does not exist");
    }

    String describe() {
        if (idOrName || id == null) {
            return "snapshot \"" + name + "\"";
        }
        return name == null ? "snapshot with id " + id : "snapshot with id " + id + " and name \"" + name + "\"";
    }
}
