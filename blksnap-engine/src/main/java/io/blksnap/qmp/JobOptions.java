package io.blksnap.qmp;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link QmpJob} runs a job.
 *
 * @param completeWhenReady send {@code job-complete} when the job reaches {@code ready} (an active
 *                          commit waits there forever otherwise)
 * @param timeout           from the start command to the job's conclusion; then the job is cancelled
 * @param progress          called on the caller's thread every {@code progressEvery} while the job
 *                          runs and once when it concluded; null for none
 */
public record JobOptions(boolean completeWhenReady, Duration timeout, JobProgress progress, Duration progressEvery) {

    public JobOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(progressEvery, "progressEvery");
        if (timeout.isNegative() || timeout.isZero() || progressEvery.isNegative() || progressEvery.isZero()) {
            throw new IllegalArgumentException("a job's timeout and progress interval must be positive");
        }
    }

    /** No completion at ready, no progress: what a job that ends by itself needs. */
    public static JobOptions of(Duration timeout) {
        return new JobOptions(false, timeout, null, Duration.ofSeconds(1));
    }

    public JobOptions completingWhenReady() {
        return new JobOptions(true, timeout, progress, progressEvery);
    }

    public JobOptions withProgress(JobProgress listener, Duration every) {
        return new JobOptions(completeWhenReady, timeout, listener, every);
    }
}
