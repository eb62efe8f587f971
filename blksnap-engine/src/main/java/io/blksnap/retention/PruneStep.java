package io.blksnap.retention;

/**
 * One deletion of a prune, in the order the prune makes them: an internal snapshot deleted from its
 * device, or an external point merged away (its overlay's data merged into the image below).
 *
 * @param candidate the group snapshot's id (the transaction that made it)
 * @param kind      {@code internal} or {@code external}
 * @param id        for an internal snapshot its id on the device; else empty
 * @param overlay   for an external point, the overlay that is merged down; else null
 * @param bytes     for an external point, the bytes allocated to the overlay (what the merge moves, at most); else 0
 * @param refusal   why this deletion cannot be made (its whole group snapshot is then kept), or null
 */
public record PruneStep(String candidate, String device, String kind, String id, String name, String overlay, long bytes,
                        String refusal) {

    /** E.g. {@code merge vm0 nightly (overlay /o/vm0-nightly.qcow2, 4194304 bytes)}, or {@code delete vm0 nightly}. */
    @Override
    public String toString() {
        String what = overlay == null ? "delete " + device + " " + name
                : "merge " + device + " " + name + " (overlay " + overlay + ", " + bytes + " bytes)";
        return refusal == null ? what : what + " REFUSED: " + refusal;
    }
}
