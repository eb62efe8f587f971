package io.blksnap.qcow2;

import java.time.Instant;

/**
 * What a caller asks for when creating an internal snapshot offline: its name, its wall-clock
 * time and the guest's virtual clock (0 when no guest runs, as {@code qemu-img} writes it).
 */
public record NewSnapshot(String name, Instant time, long vmClockNsec) {

    public static NewSnapshot now(String name) {
        return new NewSnapshot(name, Instant.now(), 0);
    }
}
