package io.blksnap.txn;

/**
 * What a transaction did to one running VM.
 *
 * @param qmpSocket   the VM's QMP socket, which names it
 * @param paused      whether this transaction paused it (false for a VM paused before, which stays paused)
 * @param pauseMillis how long it was paused by this transaction (stop to resume), 0 when not paused
 * @param guestAgent  whether a guest agent is configured for it
 * @param frozen      whether its guest's file systems were frozen around the snapshot
 * @param problem     what went wrong with its freeze, pause, resume or thaw, or null
 */
public record VmOutcome(String qmpSocket, boolean paused, double pauseMillis, boolean guestAgent, boolean frozen,
                        String problem) {
}
