package io.blksnap.app;

/** A queue request whose validated user lacks the role its operation needs. */
public final class AccessDeniedException extends BadRequestException {

    public AccessDeniedException(String reason) {
        super(reason);
    }
}
