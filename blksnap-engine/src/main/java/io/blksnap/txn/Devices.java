package io.blksnap.txn;

import io.blksnap.qcow2.OpenOptions;
import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The devices one transaction reaches (or one check, recovery or undo), each through its
 * {@link DeviceAccess}; closing lets go of all of them. The one place that decides how a device
 * is reached: a device of a running VM would get its QMP access here.
 */
final class Devices implements AutoCloseable {

    private final DeviceRegistry registry;
    private final ImagePool images;
    private final Map<String, DeviceAccess> reached = new HashMap<>();

    Devices(DeviceRegistry registry, OpenOptions options) {
        this.registry = registry;
        this.images = new ImagePool(options);
    }

    /** For looking only (the checks of add, undo's search): nothing is opened for writing. */
    static Devices readOnly(DeviceRegistry registry) {
        return new Devices(registry, OpenOptions.readOnly());
    }

    synchronized DeviceAccess get(String device) {
        return reached.computeIfAbsent(device, d -> new LocalImage(d, registry, images));
    }

    @Override
    public void close() throws IOException {
        images.close();
    }
}
