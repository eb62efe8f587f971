package io.blksnap.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The process's open image files. POSIX record locks belong to the process and the kernel drops
 * all of them when any descriptor of the file is closed, so a reader closing its own channel
 * would silently free a writer's QEMU locks. Every engine access to an image therefore shares
 * this registry, and a file's channels are closed only when its last user is done.
 */
final class OpenFiles {

    /** All channels this process has open on one file, and who uses them. */
    static final class Entry {
        private final Path key;
        private final List<FileChannel> channels = new ArrayList<>();
        private FileChannel writable;
        private ImageLocks locks;
        private int users;

        private Entry(Path key) {
            this.key = key;
        }
    }

    private static final Map<Path, Entry> OPEN = new HashMap<>();

    private OpenFiles() {
    }

    /** Opens {@code path}; a writer also gets QEMU's write locks, or an {@link ImageInUseException}. */
    static synchronized Handle open(Path path, boolean forWrite) throws IOException {
        Path key = path.toRealPath();
        Entry e = OPEN.computeIfAbsent(key, Entry::new);
        try {
            if (forWrite && e.locks != null) {
                throw new ImageInUseException(path, "image is in use: it is already open for writing in this process");
            }
            FileChannel ch;
            if (forWrite) {
                if (e.writable == null) {
                    e.writable = FileChannel.open(key, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    e.channels.add(e.writable);
                }
                ch = e.writable;
                e.locks = ImageLocks.acquireForWrite(ch, path);
            } else if (!e.channels.isEmpty()) {
                ch = e.channels.get(0);
            } else {
                ch = FileChannel.open(key, StandardOpenOption.READ);
                e.channels.add(ch);
            }
            e.users++;
            return new Handle(e, ch, forWrite);
        } catch (IOException | RuntimeException ex) {
            closeIfUnused(e);
            throw ex;
        }
    }

    static synchronized void probe(Path path) throws IOException {
        Path key = path.toRealPath();
        Entry existing = OPEN.get(key);
        if (existing != null && existing.locks != null) {
            return;
        }
        try (Handle h = open(path, true)) {
            // acquiring and releasing the locks is the probe
        }
    }

    private static synchronized void release(Handle h) throws IOException {
        Entry e = h.entry;
        try {
            if (h.forWrite && e.locks != null) {
                e.locks.release();
                e.locks = null;
            }
        } finally {
            e.users--;
            closeIfUnused(e);
        }
    }

    private static void closeIfUnused(Entry e) throws IOException {
        if (e.users > 0) {
            return;
        }
        OPEN.remove(e.key);
        IOException first = null;
        for (FileChannel c : e.channels) {
            try {
                c.close();
            } catch (IOException ex) {
                first = first == null ? ex : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** One user's access to a file: a channel that stays valid until {@link #close}. */
    static final class Handle implements AutoCloseable {
        private final Entry entry;
        final FileChannel channel;
        private final boolean forWrite;
        private boolean closed;

        private Handle(Entry entry, FileChannel channel, boolean forWrite) {
            this.entry = entry;
            this.channel = channel;
            this.forWrite = forWrite;
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                release(this);
            }
        }
    }
}
