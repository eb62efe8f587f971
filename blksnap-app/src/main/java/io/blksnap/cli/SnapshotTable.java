package io.blksnap.cli;

import io.blksnap.catalog.Catalog;
import io.blksnap.catalog.CatalogDevice;
import io.blksnap.catalog.GroupSnapshot;
import io.blksnap.qcow2.Snapshot;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** The snapshot table as {@code qemu-img snapshot -l} and {@code qemu-img info} print it. */
final class SnapshotTable {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private SnapshotTable() {
    }

    static void print(PrintWriter out, List<Snapshot> snapshots, ZoneId zone) {
        out.println("Snapshot list:");
        out.println(String.format(Locale.ROOT, "%-10s%-17s%8s%20s%13s%11s",
                "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK", "ICOUNT"));
        for (Snapshot s : snapshots) {
            out.println(row(s, zone));
        }
        out.flush();
    }

    static String row(Snapshot s, ZoneId zone) {
        String date = DATE.format(Instant.ofEpochSecond(s.dateSec()).atZone(zone));
        return String.format(Locale.ROOT, "%-9s %-16s %8s%20s%13s%11s", s.id(), s.name(),
                Sizes.human(s.vmStateSize()), date, clock(s.vmClockNsec()), s.icount() == -1 ? "" : s.icount());
    }

    /**
     * A group's devices (how each is read: live through QMP, or its offline image) and its snapshots,
     * oldest first, with their kind (internal, external, or mixed across devices).
     */
    static void printGroup(PrintWriter out, Catalog catalog, List<GroupSnapshot> snapshots, ZoneId zone) {
        out.println("Group " + catalog.group() + ":");
        out.println(String.format(Locale.ROOT, "%-16s %-8s %s", "DEVICE", "ACCESS", "ACTIVE IMAGE"));
        for (CatalogDevice d : catalog.devices()) {
            out.println(String.format(Locale.ROOT, "%-16s %-8s %s", d.name(), d.live() ? "live" : "offline",
                    d.activeImage()));
        }
        out.println("Snapshot list:");
        out.println(String.format(Locale.ROOT, "%-16s %-9s %-19s %-9s %s", "TAG", "KIND", "DATE", "COMPLETE",
                "DEVICES"));
        for (GroupSnapshot s : snapshots) {
            out.println(String.format(Locale.ROOT, "%-16s %-9s %-19s %-9s %s", s.name(), s.kind(),
                    DATE.format(Instant.ofEpochSecond(s.dateSec()).atZone(zone)), s.complete() ? "yes" : "no",
                    String.join(",", s.devices())));
        }
        out.flush();
    }

    /** The guest clock as hh:mm:ss.mmm; hours do not wrap. */
    static String clock(long nsec) {
        long secs = nsec / 1_000_000_000L;
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%03d", secs / 3600, (secs / 60) % 60, secs % 60,
                (nsec / 1_000_000L) % 1000);
    }
}
