package io.blksnap.qcow2;

import io.blksnap.storage.Storage;

import java.io.IOException;

/**
 * The commit point of an {@link ImageChange} whose new clusters are written and flushed: one
 * write of the header's commit range (size, active L1, refcount table, snapshot table, feature
 * words; see {@link Header#commitBytes}) makes them the image, then a flush.
 */
record HeaderSwitch(Storage storage, byte[] commitBytes) {

    void commit() throws IOException {
        storage.write(Header.COMMIT_OFFSET, commitBytes);
        storage.flush();
    }
}
