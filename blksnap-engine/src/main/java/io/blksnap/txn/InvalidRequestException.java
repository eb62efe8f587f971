package io.blksnap.txn;

import java.io.IOException;

/** {@code add(request)} refused the request; nothing was queued and nothing changed. */
public final class InvalidRequestException extends IOException {

    private final String device;

    public InvalidRequestException(String device, String reason) {
        super(device + ": " + reason);
        this.device = device;
    }

    public String device() {
        return device;
    }
}
