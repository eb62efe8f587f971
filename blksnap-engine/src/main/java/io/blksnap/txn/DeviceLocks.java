package io.blksnap.txn;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * In-process exclusion of devices: a transaction takes all its devices at once (so two
 * transactions never deadlock), waiting at most a timeout for busy ones.
 */
final class DeviceLocks {

    private final Set<String> busy = new HashSet<>();

    synchronized boolean acquire(Set<String> devices, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
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

    synchronized void release(Set<String> devices) {
        busy.removeAll(devices);
        notifyAll();
    }
}
