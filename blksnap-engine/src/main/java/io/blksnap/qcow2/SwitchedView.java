package io.blksnap.qcow2;

import java.io.IOException;

/**
 * The image as a prepared change's header switch would leave it, without making the switch:
 * reads of the header's commit range see the new bytes, everything else passes through. A change
 * that builds on a prepared one reads its metadata through this view.
 */
final class SwitchedView extends StorageView {

    private final byte[] commitBytes;

    SwitchedView(HeaderSwitch pending) {
        super(pending.storage());
        this.commitBytes = pending.commitBytes();
    }

    @Override
    public void read(long offset, byte[] buf) throws IOException {
        inner.read(offset, buf);
        long from = Math.max(offset, Header.COMMIT_OFFSET);
        long to = Math.min(offset + buf.length, Header.COMMIT_OFFSET + commitBytes.length);
        for (long p = from; p < to; p++) {
            buf[(int) (p - offset)] = commitBytes[(int) (p - Header.COMMIT_OFFSET)];
        }
    }
}
