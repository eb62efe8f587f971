package io.blksnap.camel;

/**
 * A blksnap operation failed. The subclasses say how: {@link BlksnapInvalidRequestException} (refused, nothing
 * changed) and {@link BlksnapTransactionAbortedException} (failed and rolled back, nothing changed). This class
 * itself is left for failures whose outcome the engine's recovery decides (an I/O error past a commit point).
 */
public class BlksnapException extends Exception {

    private static final long serialVersionUID = 1L;

    public BlksnapException(String message) {
        super(message);
    }

    public BlksnapException(String message, Throwable cause) {
        super(message, cause);
    }
}
