package io.blksnap.group;

import java.io.IOException;

/**
 * A group operation was refused before anything changed, for a reason about the group rather than one device
 * (refusals about one device are the engine's {@link io.blksnap.txn.InvalidRequestException}).
 */
public final class GroupRequestException extends IOException {

    private static final long serialVersionUID = 1L;

    public GroupRequestException(String message, Throwable cause) {
        super(message, cause);
    }

    public GroupRequestException(String message) {
        super(message);
    }
}
