package io.blksnap.txn;

import java.time.Duration;

/**
 * @param lockTimeout how long a transaction waits for devices another transaction holds
 * @param parallelism how many devices are prepared at once
 * @param faults      the test seam; {@link FaultInjector#NONE} in production
 */
public record EngineOptions(Duration lockTimeout, int parallelism, FaultInjector faults) {

    public static EngineOptions defaults() {
        return new EngineOptions(Duration.ofSeconds(30), 4, FaultInjector.NONE);
    }

    public EngineOptions withLockTimeout(Duration timeout) {
        return new EngineOptions(timeout, parallelism, faults);
    }

    public EngineOptions withParallelism(int n) {
        return new EngineOptions(lockTimeout, n, faults);
    }

    public EngineOptions withFaults(FaultInjector injector) {
        return new EngineOptions(lockTimeout, parallelism, injector);
    }
}
