package io.blksnap.txn;

import io.blksnap.qcow2.SnapshotException;
import io.blksnap.qcow2.SnapshotNames;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * Builds snapshot names from their time with a strftime-like pattern, as QEMU names snapshots
 * from the clock: {@code auto-%Y%m%d-%H%M%S} gives {@code auto-20261126-004500}. Supported:
 * %Y %y %m %d %H %M %S %j (day of year) %s (epoch seconds) %%.
 */
public final class SnapshotNamer {

    private final String pattern;
    private final ZoneId zone;

    public SnapshotNamer(String pattern, ZoneId zone) throws SnapshotException {
        this.pattern = pattern;
        this.zone = zone;
        SnapshotNames.validate(name(Instant.EPOCH));
    }

    public String name(Instant time) throws SnapshotException {
        ZonedDateTime t = time.atZone(zone);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (++i == pattern.length()) {
                throw new SnapshotException("name pattern ends with a lone %");
            }
            switch (pattern.charAt(i)) {
                case 'Y' -> out.append(String.format("%04d", t.getYear()));
                case 'y' -> out.append(String.format("%02d", t.getYear() % 100));
                case 'm' -> out.append(String.format("%02d", t.getMonthValue()));
                case 'd' -> out.append(String.format("%02d", t.getDayOfMonth()));
                case 'H' -> out.append(String.format("%02d", t.getHour()));
                case 'M' -> out.append(String.format("%02d", t.getMinute()));
                case 'S' -> out.append(String.format("%02d", t.getSecond()));
                case 'j' -> out.append(String.format("%03d", t.getDayOfYear()));
                case 's' -> out.append(time.getEpochSecond());
                case '%' -> out.append('%');
                default -> throw new SnapshotException("unknown conversion %" + pattern.charAt(i) + " in name pattern");
            }
        }
        String name = out.toString();
        SnapshotNames.validate(name);
        return name;
    }
}
