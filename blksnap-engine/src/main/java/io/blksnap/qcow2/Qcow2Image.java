package io.blksnap.qcow2;

import io.blksnap.storage.FileStorage;
import io.blksnap.storage.Storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An open qcow2 image: the engine's public API for internal snapshots, info and check.
 * Opening for writing takes QEMU's image locks and fails with
 * {@link io.blksnap.storage.ImageInUseException} while a running QEMU holds the image.
 *
 * <p>After a change the metadata is read again on the next use; should that read fail, methods
 * without {@code throws IOException} report it as an {@link UncheckedIOException}.
 */
public final class Qcow2Image implements Closeable {

    private final Path path;
    private final Storage storage;
    private final boolean writable;
    /** The metadata as last read; only through {@link #metadata()}, which reloads it when stale. */
    private ImageMetadata metadata;
    /**
     * Set by every change, whether it succeeded or failed: the file may differ from {@code metadata}.
     * The next use reloads instead of the change itself, so open, change, close reads the
     * metadata (refcount table, snapshot table) once instead of twice.
     */
    private boolean stale;
    /** Changes written but not switched yet, in the order prepared. */
    private final List<PreparedChange> prepared = new ArrayList<>();

    private Qcow2Image(Path path, Storage storage, boolean writable) throws IOException {
        this.path = path;
        this.storage = storage;
        this.writable = writable;
        this.metadata = ImageMetadata.read(storage);
    }

    public static Qcow2Image open(Path path) throws IOException {
        return open(path, OpenOptions.readOnly());
    }

    public static Qcow2Image openForWrite(Path path) throws IOException {
        return open(path, OpenOptions.readWrite());
    }

    public static Qcow2Image open(Path path, OpenOptions options) throws IOException {
        Storage raw = FileStorage.open(path, options.writable());
        try {
            return new Qcow2Image(path, options.storageDecorator().apply(raw), options.writable());
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * Creates a new image; with a backing file and {@code size < 0} the backing file's virtual
     * size is used. Relative backing paths are relative to the new image, as in QEMU.
     */
    public static void create(Path path, CreateOptions options) throws IOException {
        CreateOptions o = options;
        if (o.backingFile() != null) {
            Path backing = path.toAbsolutePath().getParent().resolve(o.backingFile());
            long backingSize = backingSize(backing, o.backingFormat());
            if (o.size() < 0) {
                o = new CreateOptions(backingSize, o.clusterSize(), o.refcountBits(), o.compat(), o.extendedL2(),
                        o.lazyRefcounts(), o.backingFile(), o.backingFormat());
            }
        } else if (o.size() < 0) {
            throw new ImageException("an image size is needed when there is no backing file");
        }
        ImageCreator.create(path, o);
    }

    /**
     * Creates {@code overlay}, an external snapshot of {@code base}: a qcow2 image of the same
     * virtual size whose backing file is {@code base} (recorded as given) in format qcow2.
     */
    public static void createOverlay(Path base, Path overlay) throws IOException {
        create(overlay, CreateOptions.ofSize(-1).withBacking(base.toString(), "qcow2"));
    }

    private static long backingSize(Path backing, String format) throws IOException {
        if (!java.nio.file.Files.isRegularFile(backing)) {
            throw new ImageException("backing file " + backing + " does not exist");
        }
        if (format != null && !format.equals("qcow2")) {
            if (!format.equals("raw")) {
                throw new ImageException("unsupported backing format \"" + format + "\" (qcow2 or raw)");
            }
            return java.nio.file.Files.size(backing);
        }
        try (Qcow2Image b = open(backing)) {
            return b.metadata().header.size;
        }
    }

    /**
     * The chain of qcow2 files from {@code top} down (top first, absolute and normalized), read from
     * their headers only; a backing file in another format ends it (and is not listed), as does a
     * missing one, which is listed. Relative backing names are relative to the image naming them.
     */
    public static List<Path> backingChain(Path top) throws IOException {
        List<Path> out = new ArrayList<>();
        Path p = top.toAbsolutePath().normalize();
        while (p != null && out.size() < 64) {
            out.add(p);
            if (!java.nio.file.Files.exists(p)) {
                break;
            }
            Header h;
            try (Storage st = FileStorage.open(p, false)) {
                h = Header.read(st);
            }
            if (h.backingFile == null || (h.backingFormat() != null && !h.backingFormat().equals("qcow2"))) {
                break;
            }
            p = p.getParent().resolve(h.backingFile).normalize();
        }
        return out;
    }

    public Path path() {
        return path;
    }

    public List<Snapshot> snapshots() {
        ImageMetadata m = freshMetadata();
        List<Snapshot> out = new ArrayList<>(m.snapshots.entries().size());
        for (SnapshotEntry e : m.snapshots.entries()) {
            out.add(e.snapshot());
        }
        return out;
    }

    /** Creates a snapshot now: {@link #prepareCreate}, then its commit. */
    public Snapshot createSnapshot(NewSnapshot request) throws IOException {
        PreparedChange p = prepareCreate(request);
        p.commit();
        return p.snapshot();
    }

    /** Deletes the snapshot {@code ref} names and returns what it was. */
    public Snapshot deleteSnapshot(SnapshotRef ref) throws IOException {
        PreparedChange p = prepareDelete(ref);
        p.commit();
        return p.snapshot();
    }

    /** Reverts the image to the snapshot {@code ref} names; the snapshot itself stays. */
    public Snapshot applySnapshot(SnapshotRef ref) throws IOException {
        PreparedChange p = prepareApply(ref);
        p.commit();
        return p.snapshot();
    }

    /** Writes a snapshot create, not yet visible: see {@link PreparedChange}. */
    public PreparedChange prepareCreate(NewSnapshot request) throws IOException {
        requireSnapshotWritable();
        ImageMetadata base = prepareBase();
        try {
            SnapshotCreate.Prepared p = SnapshotCreate.prepare(base, inUseBelow(), request);
            return track(new PreparedChange(this, p.snapshot(), p.written()));
        } finally {
            stale = true;
        }
    }

    /** Writes the deletion of the snapshot {@code ref} names, not yet visible: see {@link PreparedChange}. */
    public PreparedChange prepareDelete(SnapshotRef ref) throws IOException {
        requireSnapshotWritable();
        ImageMetadata base = prepareBase();
        SnapshotEntry victim = ref.find(base.snapshots.entries());
        try {
            return track(new PreparedChange(this, victim.snapshot(), SnapshotDelete.prepare(base, inUseBelow(), victim)));
        } finally {
            stale = true;
        }
    }

    /** Writes the revert to the snapshot {@code ref} names, not yet visible: see {@link PreparedChange}. */
    public PreparedChange prepareApply(SnapshotRef ref) throws IOException {
        requireSnapshotWritable();
        ImageMetadata base = prepareBase();
        SnapshotEntry target = ref.find(base.snapshots.entries());
        try {
            return track(new PreparedChange(this, target.snapshot(), SnapshotApply.prepare(base, inUseBelow(), target)));
        } finally {
            stale = true;
        }
    }

    /** What a new change builds on: the state the last prepared change switches to, else the image. */
    private ImageMetadata prepareBase() throws IOException {
        return prepared.isEmpty() ? metadata() : prepared.get(prepared.size() - 1).after();
    }

    /**
     * The refcounts of every state a crash could still leave committed below the base: the image
     * and each prepared change but the last. Empty when nothing is prepared.
     */
    private List<StoredRefcounts> inUseBelow() throws IOException {
        List<StoredRefcounts> out = new ArrayList<>();
        if (!prepared.isEmpty()) {
            out.add(metadata().refcounts);
            for (int i = 0; i < prepared.size() - 1; i++) {
                out.add(prepared.get(i).after().refcounts);
            }
        }
        return out;
    }

    private PreparedChange track(PreparedChange p) {
        prepared.add(p);
        return p;
    }

    void commit(PreparedChange p) throws IOException {
        if (prepared.isEmpty() || prepared.get(0) != p) {
            throw new IllegalStateException("prepared changes commit in the order they were prepared");
        }
        try {
            p.written.headerSwitch().commit();
            p.written.restore().release();
        } finally {
            prepared.remove(0);
            stale = true;
        }
    }

    void abort(PreparedChange p) throws IOException {
        if (prepared.isEmpty() || prepared.get(prepared.size() - 1) != p) {
            throw new IllegalStateException("prepared changes abort last first");
        }
        try {
            p.written.restore().run();
            p.written.restore().release();
        } finally {
            prepared.remove(prepared.size() - 1);
            stale = true;
        }
    }

    /**
     * Merges {@code upper}, an image whose backing file is this one, into this image (what
     * {@code qemu-img commit} does): afterwards this image reads as {@code upper} read through
     * it. {@link #prepareCommit}, then its switch: internal snapshots of this image keep their
     * contents and a failure or crash before the switch leaves it as it was; {@code upper} is only
     * read. Refused, with nothing written, for layouts it does not support.
     */
    public MergeResult commit(Qcow2Image upper) throws IOException {
        PreparedChange p = prepareCommit(upper);
        p.commit();
        return p.mergeResult();
    }

    /**
     * Writes the merge of {@code upper} into this image (see {@link #commit}) without making it
     * visible: every data cluster, L2 table and refcount structure goes to clusters free in this
     * image and is flushed, so the space is taken here (a full disk fails this, leaving the file
     * byte for byte as it was); the {@link PreparedChange}'s commit is the one header switch and
     * its abort puts every byte back. Not on top of other prepared changes of this image.
     */
    public PreparedChange prepareCommit(Qcow2Image upper) throws IOException {
        requireSnapshotWritable();
        if (!prepared.isEmpty()) {
            throw new IllegalStateException("a merge is not prepared on top of other prepared changes");
        }
        try {
            ChainMerge.Prepared p = ChainMerge.prepare(upper.path, upper.metadata(), path, metadata());
            return track(new PreparedChange(this, null, p.result(), p.written()));
        } finally {
            stale = true;
        }
    }

    /** The header's commit range as it is on disk, as text: compare with {@link PreparedChange#headerMark}. */
    public String headerMark() throws IOException {
        byte[] b = new byte[metadata().header.version >= 3 ? 72 : 48];
        storage.read(Header.COMMIT_OFFSET, b);
        return java.util.HexFormat.of().formatHex(b);
    }

    /**
     * {@link #commit} of the image files {@code upper} into {@code lower}, opened and locked here;
     * refused while a running QEMU holds {@code upper} (it could be writing what is merged).
     */
    public static MergeResult commitInto(Path upper, Path lower) throws IOException {
        try (Qcow2Image l = openForWrite(lower)) {
            FileStorage.probeWritable(upper);
            try (Qcow2Image u = open(upper)) {
                return l.commit(u);
            }
        }
    }

    /**
     * Records {@code name} as this image's backing file instead of the current one, without
     * touching data (what {@code qemu-img rebase -u} does): the caller makes sure the new backing
     * file reads as the old one did, as it does after {@link #commit} merged the old backing
     * file into the new one. Relative names are relative to this image, as in QEMU.
     */
    public void replaceBackingFile(String name) throws IOException {
        requireWritable();
        try {
            BackingSwitch.run(metadata(), name);
        } finally {
            stale = true;
        }
    }

    public long virtualSize() {
        return freshMetadata().header.size;
    }

    /** The header's corrupt or dirty bit: the image must not be changed until it is repaired. */
    public boolean needsRepair() {
        Header h = freshMetadata().header;
        return h.has(Header.INCOMPAT_CORRUPT) || h.has(Header.INCOMPAT_DIRTY);
    }

    public boolean hasExternalDataFile() {
        return freshMetadata().header.has(Header.INCOMPAT_DATA_FILE);
    }

    /** The backing file name as recorded in the header, or null. */
    public String backingFile() {
        return freshMetadata().header.backingFile;
    }

    /** Everything {@code qemu-img info} shows; counts allocated clusters, so it reads every refcount block. */
    public ImageInfo info() throws IOException {
        return ImageInfo.of(path, metadata());
    }

    public CheckResult check() throws IOException {
        return Checker.check(metadata(), false);
    }

    /** Checks, then lowers the stored refcount of every leaked cluster; corruptions are left alone. */
    public CheckResult repairLeaks() throws IOException {
        requireWritable();
        try {
            return Checker.check(metadata(), true);
        } finally {
            stale = true;
        }
    }

    /** The image's metadata, read again first if a change has been made since it was read. */
    private ImageMetadata metadata() throws IOException {
        if (stale) {
            metadata = ImageMetadata.read(storage);
            stale = false;
        }
        return metadata;
    }

    /** {@link #metadata()} for the accessors that declare no IOException. */
    private ImageMetadata freshMetadata() {
        try {
            return metadata();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void requireWritable() throws IOException {
        if (!writable) {
            throw new ImageException("image was opened read-only");
        }
        Header h = metadata().header;
        if (h.has(Header.INCOMPAT_CORRUPT)) {
            throw new UnsupportedImageException("image is marked corrupt; repair it with 'qemu-img check -r all'");
        }
        if (h.has(Header.INCOMPAT_DIRTY)) {
            throw new UnsupportedImageException("image is dirty (not closed cleanly with lazy refcounts); "
                    + "its refcounts cannot be trusted until 'qemu-img check -r all' repairs it");
        }
    }

    private void requireSnapshotWritable() throws IOException {
        requireWritable();
        if (metadata().header.has(Header.INCOMPAT_DATA_FILE)) {
            throw new UnsupportedImageException("internal snapshots are not supported with an external data file");
        }
    }

    @Override
    public void close() throws IOException {
        storage.close();
    }
}
