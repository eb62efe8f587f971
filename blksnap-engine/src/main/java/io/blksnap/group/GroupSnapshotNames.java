package io.blksnap.group;

import io.blksnap.qcow2.SnapshotException;
import io.blksnap.qcow2.SnapshotNames;

import java.util.regex.Pattern;

/**
 * The one rule for a group snapshot's name. Every name obeys qcow2's limits ({@link SnapshotNames}); a name
 * that becomes part of a file name (an external snapshot's overlay, or wherever the kind is not known yet, as
 * in a queue message) must also be a plain file-name part: no path separator, no hidden file, no option-like
 * leading dash.
 */
public final class GroupSnapshotNames {

    /** Longest file-safe name, in characters (all ASCII). */
    public static final int MAX_FILE_SAFE_LENGTH = 128;

    private static final Pattern FILE_SAFE =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_FILE_SAFE_LENGTH - 1) + "}");

    private GroupSnapshotNames() {
    }

    /** @throws IllegalArgumentException saying why, when qcow2 cannot store {@code name} */
    public static void check(String name) {
        try {
            SnapshotNames.validate(name);
        } catch (SnapshotException e) {
            throw new IllegalArgumentException("illegal snapshot name \"" + printable(name) + "\": " + e.getMessage(),
                    e);
        }
    }

    /** @throws IllegalArgumentException saying why, when {@code name} cannot be part of a file name */
    public static void checkFileSafe(String name) {
        check(name);
        if (!FILE_SAFE.matcher(name).matches()) {
            throw new IllegalArgumentException("illegal snapshot name \"" + printable(name) + "\": it becomes part"
                    + " of a file name, so use 1-" + MAX_FILE_SAFE_LENGTH + " letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
    }

    /** Echoes a refused name without control characters or unbounded length. */
    private static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String t = s.replaceAll("\\p{Cntrl}", "?");
        return t.length() > 64 ? t.substring(0, 64) + "..." : t;
    }
}
