package io.blksnap.qcow2;

/** The file is not a well-formed qcow2 image; the message names the field that is wrong. */
public final class MalformedImageException extends ImageException {

    public MalformedImageException(String message) {
        super(message);
    }
}
