package io.blksnap.qmp;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A QMP failure, always naming the socket it happened on. {@link #errorClass()} is QEMU's error
 * class ("GenericError", "CommandNotFound", ...) when QEMU answered with an error, and null when the
 * connection itself failed (missing socket, refused, closed, silent).
 */
public class QmpException extends IOException {

    private final Path socket;
    private final String errorClass;

    public QmpException(Path socket, String message, String errorClass, Throwable cause) {
        super("QMP " + socket + ": " + message, cause);
        this.socket = socket;
        this.errorClass = errorClass;
    }

    public QmpException(Path socket, String message) {
        this(socket, message, null, null);
    }

    public Path socket() {
        return socket;
    }

    /** QEMU's error class, or null for a failure of the connection. */
    public String errorClass() {
        return errorClass;
    }

    /** True when the command may or may not have run: the reply never came. */
    public boolean outcomeUnknown() {
        return this instanceof QmpTimeoutException;
    }
}
