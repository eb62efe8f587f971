package io.blksnap.catalog;

/**
 * One internal snapshot of one device. {@code transactionId} is the blksnap transaction that
 * made it, or null for a snapshot blksnap did not make (QEMU's own, say).
 */
public record CatalogSnapshot(String id, String name, long dateSec, long dateNsec, long vmClockNsec,
                              long vmStateSize, long diskSize, String transactionId) {
}
