package io.blksnap.txn;

import java.io.IOException;

/**
 * A request kind the engine does not do yet (external delete and revert, until overlays can be
 * merged): refused at {@code add} with its reason, so it never reaches a journal; every other
 * step refuses too rather than guess.
 */
final class Unsupported extends Member<SnapshotRequest> {

    private final String reason;

    Unsupported(int index, SnapshotRequest request, DeviceAccess device, String reason) {
        super(index, request, device);
        this.reason = reason;
    }

    @Override
    void check() throws InvalidRequestException {
        throw new InvalidRequestException(request.device(), reason);
    }

    @Override
    void prepare() throws IOException {
        throw new IOException(reason);
    }

    @Override
    void commit() throws IOException {
        throw new IOException(reason);
    }

    @Override
    void abort() {
        // its prepare did nothing
    }

    @Override
    boolean rollBack() {
        return false;
    }

    @Override
    void rollForward() throws IOException {
        throw new IOException(reason);
    }

    @Override
    SnapshotRequest compensation(String transactionId) throws InvalidRequestException {
        throw new InvalidRequestException(request.device(), reason);
    }
}
