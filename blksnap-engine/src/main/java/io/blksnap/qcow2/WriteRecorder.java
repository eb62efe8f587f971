package io.blksnap.qcow2;

import io.blksnap.storage.Storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Passes writes through, first keeping the old bytes of every write inside the file's length at
 * the start, so a change that writes as it goes (a merge streams its data clusters) can still be
 * abandoned byte for byte: {@link #restore()}. Free clusters inside the file hold stale bytes, so
 * those bytes are kept too; growth past the old end is cut by the restore. The old bytes go to an
 * unlinked temporary file, not the heap: a merge into a file with much free space inside keeps its
 * memory bounded.
 */
final class WriteRecorder extends StorageView implements ImageChange.Restore.Saved {

    private final long length;
    private final List<long[]> saved = new ArrayList<>(); // {offset in the image, position in the spill, length}
    private FileChannel spill;
    private long spillEnd;

    WriteRecorder(Storage inner) throws IOException {
        super(inner);
        this.length = inner.size();
    }

    Storage inner() {
        return inner;
    }

    /** Puts back everything written through this recorder (see {@link ImageChange.Restore#run}). */
    ImageChange.Restore restore() {
        return ImageChange.Restore.of(inner, length, this);
    }

    @Override
    public void write(long offset, byte[] data) throws IOException {
        long end = Math.min(length, offset + data.length);
        if (offset < end) {
            byte[] b = new byte[(int) (end - offset)];
            inner.read(offset, b);
            if (spill == null) {
                Path file = Files.createTempFile("blksnap-restore", ".bin");
                spill = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                Files.delete(file); // the open channel keeps it until released
            }
            ByteBuffer buf = ByteBuffer.wrap(b);
            while (buf.hasRemaining()) {
                spill.write(buf, spillEnd + buf.position());
            }
            saved.add(new long[] {offset, spillEnd, b.length});
            spillEnd += b.length;
        }
        inner.write(offset, data);
    }

    // Bulk I/O keeps the file's own fast paths where nothing needs keeping: reads, and writes that
    // lie wholly past the old end (a merge appends its runs there; the restore cuts them off).

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        inner.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        if (offset >= length) {
            inner.write(offset, src);
        } else {
            super.write(offset, src);
        }
    }

    @Override
    public void copyFrom(Storage src, long srcOffset, long offset, int length) throws IOException {
        if (offset >= this.length) {
            inner.copyFrom(src, srcOffset, offset, length);
        } else {
            super.copyFrom(src, srcOffset, offset, length);
        }
    }

    @Override
    public void startFlush() throws IOException {
        inner.startFlush();
    }

    @Override
    public int count() {
        return saved.size();
    }

    @Override
    public long offset(int i) {
        return saved.get(i)[0];
    }

    @Override
    public byte[] bytes(int i) throws IOException {
        long[] s = saved.get(i);
        ByteBuffer buf = ByteBuffer.allocate((int) s[2]);
        while (buf.hasRemaining()) {
            if (spill.read(buf, s[1] + buf.position()) < 0) {
                throw new IOException("the saved bytes of a merge are cut short");
            }
        }
        return buf.array();
    }

    @Override
    public void release() throws IOException {
        if (spill != null) {
            spill.close();
        }
    }
}
