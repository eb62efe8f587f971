package io.blksnap.txn;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes a journal record as one JSON line by hand, sealed with a CRC-32C of the JSON so that
 * recovery acts only on records exactly as they were written. Reading stays with Jackson (recovery, history),
 * but a transaction only writes: keeping Jackson's start-up (hundreds of classes) off that path
 * saves most of a short-lived command's run time. JournalLineTest proves Jackson reads back
 * exactly what this writes.
 */
final class JournalLine {

    /** Separates a record's JSON from its checksum; a raw tab never occurs inside the JSON (escaped). */
    static final char SEAL = '\t';

    private JournalLine() {
    }

    /** The record as written to the journal: its JSON, a tab, and the JSON's CRC-32C in hex. */
    static String sealed(JournalRecord r) {
        String json = encode(r);
        return json + SEAL + checksum(json);
    }

    /**
     * The JSON of a sealed line, or null when the line is not exactly what {@link #sealed} wrote
     * (no seal, or a checksum that does not match).
     */
    static String unseal(String line) {
        int tab = line.lastIndexOf(SEAL);
        if (tab < 0) {
            return null;
        }
        String json = line.substring(0, tab);
        return checksum(json).equals(line.substring(tab + 1)) ? json : null;
    }

    private static String checksum(String json) {
        CRC32C crc = new CRC32C();
        crc.update(json.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    static String encode(JournalRecord r) {
        StringBuilder b = new StringBuilder(256).append('{');
        field(b, "rec", r.rec());
        field(b, "id", r.id());
        if (r.time() != null) {
            name(b, "time").append(r.time());
        }
        if (r.requests() != null) {
            name(b, "requests").append('[');
            List<SnapshotRequest> rs = r.requests();
            for (int i = 0; i < rs.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                request(b, rs.get(i));
            }
            b.append(']');
        }
        if (r.index() != null) {
            name(b, "index").append(r.index());
        }
        field(b, "step", r.step() == null ? null : r.step().name());
        field(b, "snapshotId", r.snapshotId());
        field(b, "status", r.status() == null ? null : r.status().name());
        field(b, "reason", r.reason());
        strings(b, "paused", r.paused());
        strings(b, "frozen", r.frozen());
        return b.append('}').toString();
    }

    private static void strings(StringBuilder b, String name, List<String> values) {
        if (values != null) {
            name(b, name).append('[');
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                string(b, values.get(i));
            }
            b.append(']');
        }
    }

    private static void request(StringBuilder b, SnapshotRequest r) {
        b.append('{');
        if (r instanceof InternalSnapshotRequest i) {
            field(b, "type", "internal");
            field(b, "device", i.device());
            field(b, "operation", i.operation().name());
            field(b, "name", i.name());
            field(b, "id", i.id());
            name(b, "dateSec").append(i.dateSec());
            name(b, "dateNsec").append(i.dateNsec());
            name(b, "vmClockNsec").append(i.vmClockNsec());
            if (i.withMemory()) {
                name(b, "withMemory").append(true); // left out when false, as before the flag existed
            }
        } else if (r instanceof ExternalSnapshotRequest e) {
            field(b, "type", "external");
            field(b, "device", e.device());
            field(b, "operation", e.operation().name());
            field(b, "overlay", e.overlay() == null ? null : e.overlay().toUri().toString());
            field(b, "format", e.format());
            name(b, "useExisting").append(e.useExisting());
        }
        b.append('}');
    }

    private static StringBuilder name(StringBuilder b, String name) {
        if (b.charAt(b.length() - 1) != '{') {
            b.append(',');
        }
        return string(b, name).append(':');
    }

    /** A string field, left out when null (as the record's NON_NULL inclusion does). */
    private static void field(StringBuilder b, String name, String value) {
        if (value != null) {
            string(name(b, name), value);
        }
    }

    private static StringBuilder string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }
}
