package io.blksnap.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.blksnap.group.GroupSnapshotNames;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.retention.Durations;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a queue message completely before the engine sees it: size, JSON shape, a known group,
 * an allowed operation and type, a legal name (a plain file-name part, since external overlays
 * are named after it), sane retention numbers. Anything else is a {@link BadRequestException}.
 */
public final class QueueRequestValidator {

    static final int MAX_BYTES = 16 * 1024;
    private static final Set<String> OPERATIONS = Set.of("snapshot", "delete", "list", "apply", "undo", "prune",
            "catalog");
    private static final Pattern TX = Pattern.compile("tx-[0-9]{8}-[0-9]{6}-[0-9a-f]{6}");
    // A duplicate key must not let a later value override the first ("list" then "prune"), and
    // numbers and flags must be what they say: no 2.7 truncated to 2, no "3" or 1 coerced.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private final DeviceRegistry registry;

    public QueueRequestValidator(DeviceRegistry registry) {
        this.registry = registry;
    }

    public QueueRequest validate(String body) throws BadRequestException {
        if (body == null || body.isBlank()) {
            throw new BadRequestException("empty message");
        }
        if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new BadRequestException("message larger than " + MAX_BYTES + " bytes");
        }
        QueueRequest r;
        try {
            r = JSON.readValue(body, QueueRequest.class);
        } catch (UnrecognizedPropertyException e) {
            throw new BadRequestException("malformed JSON: unknown field \"" + printable(e.getPropertyName()) + "\"");
        } catch (MismatchedInputException e) {
            throw new BadRequestException(mismatch(e));
        } catch (JsonProcessingException e) {
            throw new BadRequestException("malformed JSON: " + e.getOriginalMessage());
        }
        if (r == null) {
            throw new BadRequestException("malformed JSON: null");
        }
        if (r.group() == null || !registry.groupNames().contains(r.group())) {
            throw new BadRequestException("unknown group \"" + printable(r.group()) + "\"");
        }
        if (r.operation() == null || !OPERATIONS.contains(r.operation())) {
            throw new BadRequestException("operation must be one of " + OPERATIONS);
        }
        if (r.type() != null && !r.type().equals("internal") && !r.type().equals("external")) {
            throw new BadRequestException("type must be internal or external");
        }
        if (r.name() != null) {
            try {
                // file-safe whatever the type: the name may become an external overlay's file name
                GroupSnapshotNames.checkFileSafe(r.name());
            } catch (IllegalArgumentException e) {
                throw new BadRequestException(e.getMessage());
            }
        }
        if ((r.operation().equals("delete") || r.operation().equals("apply")) && r.name() == null) {
            throw new BadRequestException(r.operation() + " needs a name");
        }
        if (r.operation().equals("undo") && (r.transactionId() == null || !TX.matcher(r.transactionId()).matches())) {
            throw new BadRequestException("undo needs a transactionId like tx-20261126-004500-1a2b3c");
        }
        for (Integer n : new Integer[] {r.keepLast(), r.keepHourly(), r.keepDaily(), r.keepWeekly(), r.keepMonthly(),
                r.keepYearly()}) {
            if (n != null && (n < 0 || n > 100_000)) {
                throw new BadRequestException("keep counts must be between 0 and 100000");
            }
        }
        if (r.keepWithin() != null) {
            try {
                Durations.parse(r.keepWithin());
            } catch (IllegalArgumentException e) {
                throw new BadRequestException("keepWithin must be a duration like 7d, 1w2d or PT12H: "
                        + e.getMessage());
            }
        }
        return r;
    }

    /** Names the field whose value has the wrong kind, e.g. {@code keepLast must be a whole number}. */
    private static String mismatch(MismatchedInputException e) {
        if (e.getPath().isEmpty() || e.getPath().get(0).getFieldName() == null) {
            return "malformed JSON: " + e.getOriginalMessage();
        }
        String field = printable(e.getPath().get(0).getFieldName());
        Class<?> type = e.getTargetType();
        String kind = type == Integer.class || type == int.class ? "a whole number"
                : type == Boolean.class || type == boolean.class ? "true or false"
                : type == String.class ? "a string" : "of another type";
        return field + " must be " + kind;
    }

    /** Echoes user input in an error without control characters or unbounded length. */
    private static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String t = s.replaceAll("\\p{Cntrl}", "?");
        return t.length() > 64 ? t.substring(0, 64) + "..." : t;
    }
}
