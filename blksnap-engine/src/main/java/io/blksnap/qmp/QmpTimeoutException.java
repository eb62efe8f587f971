package io.blksnap.qmp;

import java.nio.file.Path;

/** QEMU sent nothing in time: the greeting, a command's reply or an awaited event. */
public final class QmpTimeoutException extends QmpException {

    public QmpTimeoutException(Path socket, String message) {
        super(socket, message);
    }
}
