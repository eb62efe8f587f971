package io.blksnap.qmp;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One asynchronous QMP event. {@code seq} numbers every event a client received, across
 * reconnects, so a caller can ask for events that arrived after a given point.
 *
 * @param data the event's {@code data} member, or an empty object when QEMU sent none
 */
public record QmpEvent(long seq, String name, JsonNode data, Instant timestamp) {

    /** A text member of {@code data}, or null. */
    public String text(String field) {
        JsonNode v = data.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
