package io.blksnap.catalog;

/**
 * One snapshot of one device: an internal snapshot of its active layer, or an external point of its
 * chain (the image frozen when blksnap made the overlay {@code overlay} on it). {@code transactionId}
 * is the blksnap transaction that made it, or null for a snapshot blksnap did not make (QEMU's own,
 * say). For an external point {@code id} is empty, {@code dateSec} is when its overlay was made and
 * {@code diskSize} the bytes allocated to the overlay (what deleting the point merges down, at most).
 *
 * @param kind {@link #INTERNAL} or {@link #EXTERNAL}
 */
public record CatalogSnapshot(String id, String name, long dateSec, long dateNsec, long vmClockNsec,
                              long vmStateSize, long diskSize, String transactionId, String kind, String overlay) {

    public static final String INTERNAL = "internal";
    public static final String EXTERNAL = "external";

    public boolean external() {
        return EXTERNAL.equals(kind);
    }
}
