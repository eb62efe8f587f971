package io.blksnap.qmp;

import java.nio.file.Path;

/** A QMP job concluded with an error: {@link #jobError()} is QEMU's message from {@code query-jobs}. */
public final class QmpJobException extends QmpException {

    private final String jobId;
    private final String jobError;

    public QmpJobException(Path socket, String jobId, String type, String jobError) {
        // QEMU reports job failures as generic errors; the class says QEMU answered, not the connection failed
        super(socket, "job " + jobId + " (" + type + ") failed: " + jobError, "GenericError", null);
        this.jobId = jobId;
        this.jobError = jobError;
    }

    public String jobId() {
        return jobId;
    }

    public String jobError() {
        return jobError;
    }
}
