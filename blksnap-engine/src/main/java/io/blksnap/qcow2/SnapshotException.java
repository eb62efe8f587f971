package io.blksnap.qcow2;

/** A snapshot request that cannot be honoured: unknown, duplicate or illegal name, mismatched id. */
public final class SnapshotException extends ImageException {

    public SnapshotException(String message) {
        super(message);
    }
}
