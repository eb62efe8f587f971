package io.blksnap.qcow2;

import java.io.IOException;

/** A refused or failed image operation; the message is one line, meant for an operator. */
public class ImageException extends IOException {

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
