package io.blksnap.txn;

import io.blksnap.qcow2.OpenOptions;
import io.blksnap.qcow2.Qcow2Image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The images one transaction holds open for writing (and so QEMU-locked) from its first
 * prepare until it ends; several requests on one device share one open image.
 */
final class ImagePool implements AutoCloseable {

    private final OpenOptions options;
    private final Map<Path, Qcow2Image> open = new LinkedHashMap<>();

    ImagePool(OpenOptions options) {
        this.options = options;
    }

    synchronized Qcow2Image get(Path path) throws IOException {
        Path key = path.toAbsolutePath().normalize();
        Qcow2Image img = open.get(key);
        if (img == null) {
            img = Qcow2Image.open(key, options);
            open.put(key, img);
        }
        return img;
    }

    /** Closes one image early (an overlay about to be removed). */
    synchronized void release(Path path) throws IOException {
        Qcow2Image img = open.remove(path.toAbsolutePath().normalize());
        if (img != null) {
            img.close();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        IOException first = null;
        for (Qcow2Image img : open.values()) {
            try {
                img.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }
}
