package io.blksnap.qmp;

/** Reports a running QMP job's progress: {@code current} of {@code total}, in the job's own units. */
@FunctionalInterface
public interface JobProgress {
    void progress(String jobId, long current, long total);
}
