package io.blksnap.storage;

import java.io.IOException;
import java.nio.file.Path;

/** The image is locked by another user (a running QEMU, qemu-io, another blksnap transaction). */
public final class ImageInUseException extends IOException {

    private final transient Path path;

    public ImageInUseException(Path path, String reason) {
        super(reason);
        this.path = path;
    }

    public Path path() {
        return path;
    }
}
