package io.blksnap.camel;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The component's own exclusion of devices, so that each endpoint can bound how long its transaction waits for
 * another one (the engine's lock wait is one setting for the whole engine). All devices are taken at once, so two
 * operations never deadlock.
 */
final class DeviceGate {

    private final Set<String> busy = new HashSet<>();

    synchronized boolean acquire(Collection<String> devices, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (devices.stream().anyMatch(busy::contains)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        busy.addAll(devices);
        return true;
    }

    synchronized void release(Collection<String> devices) {
        busy.removeAll(devices);
        notifyAll();
    }
}
