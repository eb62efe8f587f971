package io.blksnap.qmp;

import java.time.Duration;

/**
 * A QMP job that concluded without error.
 *
 * @param type            QEMU's job type ({@code commit}, {@code snapshot-save}, ...)
 * @param currentProgress {@code query-jobs}' progress at the end; -1 when QEMU had already dismissed
 *                        the job itself (auto-dismiss)
 */
public record JobResult(String id, String type, long currentProgress, long totalProgress, Duration elapsed) {
}
