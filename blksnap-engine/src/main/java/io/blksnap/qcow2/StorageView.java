package io.blksnap.qcow2;

import io.blksnap.storage.Storage;

import java.io.IOException;

/** A view of an image's storage that passes everything through and does not own it (closing it closes nothing). */
abstract class StorageView implements Storage {

    final Storage inner;

    StorageView(Storage inner) {
        this.inner = inner;
    }

    @Override
    public void read(long offset, byte[] buf) throws IOException {
        inner.read(offset, buf);
    }

    @Override
    public void write(long offset, byte[] data) throws IOException {
        inner.write(offset, data);
    }

    @Override
    public void flush() throws IOException {
        inner.flush();
    }

    @Override
    public long size() throws IOException {
        return inner.size();
    }

    @Override
    public void truncate(long length) throws IOException {
        inner.truncate(length);
    }

    @Override
    public void close() {
    }
}
