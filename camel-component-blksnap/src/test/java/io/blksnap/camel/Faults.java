package io.blksnap.camel;

import java.io.IOException;

import io.blksnap.txn.FaultInjector;

/**
 * The engine's test seam, armed per test: at one named point of the next transaction (begin, prepared:N, commit,
 * ...) it fails with an I/O error, or stalls for a while. One shot.
 */
final class Faults implements FaultInjector {

    private volatile String point;
    private volatile long stallMillis;

    void failAt(String point) {
        this.stallMillis = 0;
        this.point = point;
    }

    void stallAt(String point, long millis) {
        this.stallMillis = millis;
        this.point = point;
    }

    @Override
    public void at(String p) throws IOException {
        if (!p.equals(point)) {
            return;
        }
        point = null;
        if (stallMillis > 0) {
            try {
                Thread.sleep(stallMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        throw new IOException("injected fault at " + p);
    }
}
