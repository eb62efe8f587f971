package io.blksnap.app;

/** A queue message the application refuses before the engine sees it; the message says why. */
public class BadRequestException extends Exception {

    public BadRequestException(String reason) {
        super(reason);
    }
}
