package io.blksnap.registry;

import java.io.IOException;

/** The device configuration is unreadable or inconsistent, or names an unknown device or group. */
public final class RegistryException extends IOException {

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
