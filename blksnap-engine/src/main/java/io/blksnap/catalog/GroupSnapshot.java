package io.blksnap.catalog;

import java.util.List;

/**
 * Snapshots of one name across a group's devices. {@code complete} when every device has it;
 * {@code transactionId} when one blksnap transaction made all of them (else null).
 */
public record GroupSnapshot(String name, long dateSec, String transactionId, List<String> devices, boolean complete) {
}
