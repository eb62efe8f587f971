package io.blksnap.camel;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.blksnap.storage.Storage;
import io.blksnap.testing.WriteHookStorage;
import io.blksnap.txn.FaultInjector;

/**
 * The engine's test seam, armed per test, one shot each: at a named point of the next transaction (begin,
 * prepared:N, commit, ...) fail with an I/O error or stall for a while; or make every write to the Nth image the
 * next transaction opens fail, so that device's prepare genuinely fails.
 */
final class Faults implements FaultInjector {

    private volatile String point;
    private volatile long stallMillis;
    private volatile CountDownLatch stalled = new CountDownLatch(1);
    private volatile int failImage = -1;
    private final AtomicInteger opened = new AtomicInteger();

    void failAt(String point) {
        this.stallMillis = 0;
        this.point = point;
    }

    /** Stalls at {@code point}; {@link #awaitStall} returns once the stall has begun. */
    void stallAt(String point, long millis) {
        this.stalled = new CountDownLatch(1);
        this.stallMillis = millis;
        this.point = point;
    }

    void awaitStall() throws InterruptedException {
        if (!stalled.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new AssertionError("the stall never began");
        }
    }

    /** The {@code n}th image (0-based) the next transaction opens refuses every write. */
    void failWritesOfImage(int n) {
        opened.set(0);
        failImage = n;
    }

    @Override
    public void at(String p) throws IOException {
        if (!p.equals(point)) {
            return;
        }
        point = null;
        if (stallMillis > 0) {
            stalled.countDown();
            try {
                Thread.sleep(stallMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        throw new IOException("injected fault at " + p);
    }

    @Override
    public Storage wrap(Storage storage) {
        if (failImage < 0 || opened.getAndIncrement() != failImage) {
            return storage;
        }
        failImage = -1;
        return new WriteHookStorage(storage, (offset, data) -> {
            throw new IOException("injected write failure");
        });
    }
}
