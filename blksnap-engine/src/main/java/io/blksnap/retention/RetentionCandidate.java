package io.blksnap.retention;

import java.time.Instant;
import java.util.Objects;

/**
 * One prunable item: for blksnap, a group snapshot (one transaction's snapshot across a group of
 * disks), which is kept or pruned as a whole so the group stays consistent.
 *
 * @param id   unique among the candidates of one plan; also breaks ties between equal times
 * @param time when the snapshot was taken; the only thing the rules look at
 */
public record RetentionCandidate(String id, Instant time) {

    public RetentionCandidate {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("candidate id must not be empty");
        }
    }
}
