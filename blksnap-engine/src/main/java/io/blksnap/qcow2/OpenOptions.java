package io.blksnap.qcow2;

import io.blksnap.storage.Storage;

import java.util.function.UnaryOperator;

/**
 * How to open an image. {@code storageDecorator} wraps the storage the engine writes through:
 * a seam for tests that inject faults after a chosen write; production code leaves it identity.
 */
public record OpenOptions(boolean writable, UnaryOperator<Storage> storageDecorator) {

    public static OpenOptions readOnly() {
        return new OpenOptions(false, UnaryOperator.identity());
    }

    public static OpenOptions readWrite() {
        return new OpenOptions(true, UnaryOperator.identity());
    }

    public OpenOptions decorated(UnaryOperator<Storage> decorator) {
        return new OpenOptions(writable, decorator);
    }
}
