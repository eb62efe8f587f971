package io.blksnap.txn;

import io.blksnap.qcow2.OpenOptions;
import io.blksnap.registry.Device;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.registry.RegistryException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The devices one transaction reaches (or one check, recovery or undo), each through its
 * {@link DeviceAccess}; closing lets go of all of them. The one place that decides how a device
 * is reached: a device with a QMP socket is a {@link LiveDisk}, the devices of one VM sharing
 * its {@link VmSession}; any other its {@link LocalImage}.
 */
final class Devices implements AutoCloseable {

    private final DeviceRegistry registry;
    private final ImagePool images;
    private final Map<String, DeviceAccess> reached = new HashMap<>();
    private final Map<Path, VmSession> vms = new LinkedHashMap<>();

    Devices(DeviceRegistry registry, OpenOptions options) {
        this.registry = registry;
        this.images = new ImagePool(options);
    }

    /** For looking only (the checks of add, undo's search): nothing is opened for writing. */
    static Devices readOnly(DeviceRegistry registry) {
        return new Devices(registry, OpenOptions.readOnly());
    }

    synchronized DeviceAccess get(String device) {
        DeviceAccess a = reached.get(device);
        if (a == null) {
            Device live = liveDevice(device);
            a = live == null ? new LocalImage(device, registry, images)
                    : new LiveDisk(live, registry, vms.computeIfAbsent(live.qmpSocket(),
                            s -> new VmSession(s, live.guestAgentSocket())));
            reached.put(device, a);
        }
        return a;
    }

    private Device liveDevice(String name) {
        try {
            Device d = registry.hasDevice(name) ? registry.device(name) : null;
            return d != null && d.live() ? d : null;
        } catch (RegistryException e) {
            return null;
        }
    }

    /** The VMs reached so far, in the order their first device was. */
    synchronized List<VmSession> vms() {
        return List.copyOf(vms.values());
    }

    @Override
    public void close() throws IOException {
        try {
            images.close();
        } finally {
            vms().forEach(VmSession::close);
        }
    }
}
