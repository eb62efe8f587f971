package io.blksnap.qcow2;

/**
 * Options of a new image, with {@code qemu-img create}'s defaults.
 *
 * @param size          virtual size in bytes; -1 takes the backing file's size
 * @param compat        "1.1" (qcow2 v3) or "0.10" (v2)
 * @param backingFile   path as it is to be recorded (relative paths are relative to the new image)
 * @param backingFormat format name recorded in the backing-format extension, or null
 */
public record CreateOptions(long size, int clusterSize, int refcountBits, String compat, boolean extendedL2,
                            boolean lazyRefcounts, String backingFile, String backingFormat) {

    public static CreateOptions ofSize(long size) {
        return new CreateOptions(size, 65536, 16, "1.1", false, false, null, null);
    }

    public CreateOptions withClusterSize(int bytes) {
        return new CreateOptions(size, bytes, refcountBits, compat, extendedL2, lazyRefcounts, backingFile, backingFormat);
    }

    public CreateOptions withRefcountBits(int bits) {
        return new CreateOptions(size, clusterSize, bits, compat, extendedL2, lazyRefcounts, backingFile, backingFormat);
    }

    public CreateOptions withCompat(String level) {
        return new CreateOptions(size, clusterSize, refcountBits, level, extendedL2, lazyRefcounts, backingFile, backingFormat);
    }

    public CreateOptions withExtendedL2(boolean on) {
        return new CreateOptions(size, clusterSize, refcountBits, compat, on, lazyRefcounts, backingFile, backingFormat);
    }

    public CreateOptions withLazyRefcounts(boolean on) {
        return new CreateOptions(size, clusterSize, refcountBits, compat, extendedL2, on, backingFile, backingFormat);
    }

    public CreateOptions withBacking(String file, String format) {
        return new CreateOptions(size, clusterSize, refcountBits, compat, extendedL2, lazyRefcounts, file, format);
    }
}
