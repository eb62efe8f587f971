package io.blksnap.app;

/** The scheduled backup's catalog export failed; the snapshot it took has been undone. */
public final class ExportFailedException extends Exception {

    public ExportFailedException(String message) {
        super(message);
    }
}
