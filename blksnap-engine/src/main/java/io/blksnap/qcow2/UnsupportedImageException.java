package io.blksnap.qcow2;

/** A well-formed image that this engine must not change (unknown features, corrupt, dirty...). */
public final class UnsupportedImageException extends ImageException {

    public UnsupportedImageException(String message) {
        super(message);
    }
}
