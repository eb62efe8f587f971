package io.blksnap.catalog;

import java.util.List;

/**
 * Snapshots of one name across a group's devices. {@code complete} when every device has it (in
 * either kind); {@code transactionId} when one blksnap transaction made all of them (else null);
 * {@code kind} internal or external when all devices have it in that kind, else {@link #MIXED}.
 */
public record GroupSnapshot(String name, long dateSec, String transactionId, List<String> devices, boolean complete,
                            String kind) {

    public static final String MIXED = "mixed";
}
