package io.blksnap.txn;

import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.util.List;

/**
 * The checks {@code add(request)} makes, each refusal with its reason; nothing here writes. Only
 * what every kind shares is here (a known device, once per transaction, usable now); the rest is
 * the kind's own {@link Member#check}.
 */
final class RequestValidator {

    private final DeviceRegistry registry;

    RequestValidator(DeviceRegistry registry) {
        this.registry = registry;
    }

    void check(SnapshotRequest r, List<SnapshotRequest> queued) throws InvalidRequestException {
        String dev = r.device();
        if (dev == null || !registry.hasDevice(dev)) {
            throw new InvalidRequestException(String.valueOf(dev), "unknown device");
        }
        try (Devices devices = Devices.readOnly(registry)) {
            DeviceAccess device = devices.get(dev);
            Member<?> member = Members.of(queued.size(), r, device);
            for (SnapshotRequest q : queued) {
                if (q.device().equals(dev) && !member.sharesDeviceWith(q)) {
                    throw new InvalidRequestException(dev, "the device is already in this transaction");
                }
                if (q.device().equals(dev) && q.equals(r)) {
                    throw new InvalidRequestException(dev, "the same deletion is already in this transaction");
                }
            }
            device.checkUsable();
            member.check();
        } catch (InvalidRequestException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidRequestException(dev, Member.message(e));
        }
    }
}
