package io.blksnap.camel;

/**
 * The request was refused before anything changed: an unknown group, device or transaction, a missing or
 * illegal snapshot name, a snapshot that does not exist or already does, an image in use or read-only, a missing
 * operation, and whatever else the engine's {@code Transaction.add} refuses.
 */
public class BlksnapInvalidRequestException extends BlksnapException {

    private static final long serialVersionUID = 1L;

    private final String device;

    public BlksnapInvalidRequestException(String message) {
        this(null, message, null);
    }

    public BlksnapInvalidRequestException(String device, String message, Throwable cause) {
        super(message, cause);
        this.device = device;
    }

    /** The device the refusal names, or null when it is not about one device. */
    public String getDevice() {
        return device;
    }
}
