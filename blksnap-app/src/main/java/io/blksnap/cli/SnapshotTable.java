package io.blksnap.cli;

import io.blksnap.catalog.Catalog;
import io.blksnap.catalog.CatalogDevice;
import io.blksnap.catalog.GroupSnapshot;
import io.blksnap.qcow2.Snapshot;

import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.TimeZone;

/**
 * The snapshot table as {@code qemu-img snapshot -l} and {@code qemu-img info} print it.
 *
 * <p>Padded by hand, and dates in the zone's offset from {@link TimeZone}: String.format (its
 * parser and locale data), DateTimeFormatter and ZoneId's rules provider cost a short-lived
 * {@code snapshot -l} more time than reading the image.
 */
final class SnapshotTable {

    private SnapshotTable() {
    }

    static void print(PrintWriter out, List<Snapshot> snapshots, TimeZone zone) {
        out.println("Snapshot list:");
        out.println(left("ID", 10) + left("TAG", 17) + right("VM SIZE", 8) + right("DATE", 20)
                + right("VM CLOCK", 13) + right("ICOUNT", 11));
        for (Snapshot s : snapshots) {
            out.println(row(s, zone));
        }
        out.flush();
    }

    static String row(Snapshot s, TimeZone zone) {
        return left(s.id(), 9) + " " + left(s.name(), 16) + " " + right(Sizes.human(s.vmStateSize()), 8)
                + right(date(s.dateSec(), zone), 20) + right(clock(s.vmClockNsec()), 13)
                + right(s.icount() == -1 ? "" : Long.toString(s.icount()), 11);
    }

    /** yyyy-MM-dd HH:mm:ss in {@code zone}. */
    static String date(long epochSec, TimeZone zone) {
        int offsetSec = zone.getOffset(epochSec * 1000) / 1000;
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSec, 0, ZoneOffset.ofTotalSeconds(offsetSec));
        return zeros(t.getYear(), 4) + "-" + zeros(t.getMonthValue(), 2) + "-" + zeros(t.getDayOfMonth(), 2)
                + " " + zeros(t.getHour(), 2) + ":" + zeros(t.getMinute(), 2) + ":" + zeros(t.getSecond(), 2);
    }

    /**
     * A group's devices (how each is read: live through QMP, or its offline image) and its snapshots,
     * oldest first, with their kind (internal, external, or mixed across devices).
     */
    static void printGroup(PrintWriter out, Catalog catalog, List<GroupSnapshot> snapshots, TimeZone zone) {
        out.println("Group " + catalog.group() + ":");
        out.println(left("DEVICE", 16) + " " + left("ACCESS", 8) + " ACTIVE IMAGE");
        for (CatalogDevice d : catalog.devices()) {
            out.println(left(d.name(), 16) + " " + left(d.live() ? "live" : "offline", 8) + " " + d.activeImage());
        }
        out.println("Snapshot list:");
        out.println(left("TAG", 16) + " " + left("KIND", 9) + " " + left("DATE", 19) + " " + left("COMPLETE", 9)
                + " DEVICES");
        for (GroupSnapshot s : snapshots) {
            out.println(left(s.name(), 16) + " " + left(s.kind(), 9) + " " + left(date(s.dateSec(), zone), 19) + " "
                    + left(s.complete() ? "yes" : "no", 9) + " " + String.join(",", s.devices()));
        }
        out.flush();
    }

    /** The guest clock as hh:mm:ss.mmm; hours do not wrap. */
    static String clock(long nsec) {
        long secs = nsec / 1_000_000_000L;
        return zeros(secs / 3600, 2) + ":" + zeros((secs / 60) % 60, 2) + ":" + zeros(secs % 60, 2) + "."
                + zeros((nsec / 1_000_000L) % 1000, 3);
    }

    /** As {@code %0<width>d}: zeros after the sign up to {@code width} characters. */
    static String zeros(long v, int width) {
        String digits = Long.toString(v);
        int sign = v < 0 ? 1 : 0;
        return digits.length() >= width ? digits
                : digits.substring(0, sign) + "0".repeat(width - digits.length()) + digits.substring(sign);
    }

    /** As {@code %-<width>s}. */
    static String left(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** As {@code %<width>s}. */
    static String right(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
