package io.blksnap.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Merges an upper image into the image below it (what {@code qemu-img commit} does offline):
 * afterwards the lower image reads as the upper one did through its chain.
 *
 * <p>Copy-on-write like every change of the engine: each lower cluster the upper image touches
 * gets a new data cluster (or becomes a zero cluster), each lower L2 table that changes gets a new
 * copy, and the new active L1 is switched in by one header write. Nothing the committed lower
 * image uses is overwritten, so internal snapshots of the lower image keep their contents (the
 * clusters they share only lose the active image's references) and a crash before the switch
 * leaves the lower image as it was. The upper image is only read, and still reads the same
 * afterwards: the lower image changes only where the upper one is allocated.
 *
 * <p>Two walks over the upper image's allocated clusters: the plan counts what will be written
 * and refuses what is not supported (before any write), then the write walk streams one lower L2
 * table and one run of clusters at a time, so memory does not grow with the image. A run (up to
 * {@link #RUN_BYTES} of lower clusters next to each other in the guest) goes to new clusters
 * appended to the lower file in one write, copied file to file when the upper image stores it in
 * one piece, else gathered in as few reads as its layout allows. The write walk is the prepare
 * ({@link #prepare}); the switch is the caller's, so a merge can wait in a transaction.
 */
final class ChainMerge {

    private enum Action { KEEP, ZERO, DATA }

    /** Bytes of lower clusters read and written together: few system calls, bounded memory. */
    private static final int RUN_BYTES = 4 << 20;

    /** A lower cluster to look at, by index; consumer of the candidate walk. */
    private interface ClusterVisitor {
        void visit(long lowerCluster) throws IOException;
    }

    private final ImageMetadata upper;
    private final ImageMetadata lower;
    private final Geometry ug;
    private final Geometry lg;
    private final LayerReader upperReader;
    private final LayerReader lowerReader;
    private final boolean lowerHasBacking;
    /** Granule the upper image is compared at, inside one lower cluster. */
    private final int granule;
    private final byte[] upperState;
    private final byte[] lowerState;
    /** The run being gathered: the new contents of {@link #runLength} lower clusters from {@link #runStart} on. */
    private final ByteBuffer run;
    private final int runClusters;
    private long runStart;
    private int runLength;
    private final ByteBuffer lowerBuf;

    private ChainMerge(ImageMetadata upper, ImageMetadata lower) throws IOException {
        this.upper = upper;
        this.lower = lower;
        this.ug = upper.g;
        this.lg = lower.g;
        this.upperReader = new LayerReader(upper);
        this.lowerReader = new LayerReader(lower);
        this.lowerHasBacking = lower.header.backingFile != null;
        this.granule = Math.min(upperReader.subclusterSize, lg.clusterSize);
        this.upperState = new byte[lg.clusterSize / granule];
        this.lowerState = new byte[lg.clusterSize / lowerReader.subclusterSize];
        this.runClusters = Math.max(1, RUN_BYTES / lg.clusterSize);
        // Direct: the file channel reads into and writes from it without a copy.
        this.run = ByteBuffer.allocateDirect(runClusters * lg.clusterSize);
        this.lowerBuf = ByteBuffer.allocateDirect(lg.clusterSize);
    }

    /** A merge whose every write is done and flushed: {@code written}'s switch commits it, its restore abandons it. */
    record Prepared(MergeResult result, ImageChange.Written written) {
    }

    /**
     * Plans, refuses or sizes, then writes the whole merge into clusters free in the committed lower
     * image, through a {@link WriteRecorder} so that a failed write (or a later abort) puts every
     * byte back; the header switch is left to the caller. Nothing to merge gives a switch that
     * rewrites the header's own bytes.
     */
    static Prepared prepare(Path upperPath, ImageMetadata upper, Path lowerPath, ImageMetadata committed)
            throws IOException {
        refuseUnsupported(upperPath, upper, lowerPath, committed);
        WriteRecorder recorder = new WriteRecorder(committed.storage);
        ImageMetadata lower = ImageMetadata.read(recorder);
        ImageChange change = ImageChange.begin(lower);
        ChainMerge merge = new ChainMerge(upper, lower);
        long[] plan = merge.plan();
        long spaceRequired = merge.spaceRequired(plan);
        long usable = Files.getFileStore(lowerPath.toAbsolutePath()).getUsableSpace();
        if (spaceRequired > usable) {
            throw new ImageException("not enough space to merge " + upperPath + " into " + lowerPath + ": "
                    + spaceRequired + " bytes may be needed, " + usable + " are free");
        }
        return merge.write(change, plan, spaceRequired, recorder);
    }

    private static void refuseUnsupported(Path upperPath, ImageMetadata upper, Path lowerPath, ImageMetadata lower)
            throws IOException {
        Header u = upper.header;
        Header l = lower.header;
        String what = "cannot merge " + upperPath + " into " + lowerPath + ": ";
        if (u.backingFile == null) {
            throw new ImageException(what + "the upper image has no backing file");
        }
        Path backing = upperPath.toAbsolutePath().getParent().resolve(u.backingFile);
        if (!Files.exists(backing) || !Files.isSameFile(backing, lowerPath)) {
            throw new ImageException(what + "the upper image's backing file is " + u.backingFile
                    + ", not the lower image");
        }
        if (u.backingFormat() != null && !u.backingFormat().equals("qcow2")) {
            throw new UnsupportedImageException(what + "the upper image's backing format is " + u.backingFormat());
        }
        if (u.size != l.size) {
            throw new UnsupportedImageException(what + "virtual sizes differ (" + u.size + " and " + l.size + " bytes)");
        }
        for (Header h : new Header[] {u, l}) {
            String which = h == u ? "the upper image" : "the lower image";
            if (h.cryptMethod != 0) {
                throw new UnsupportedImageException(what + which + " is encrypted");
            }
            if (h.has(Header.INCOMPAT_DATA_FILE)) {
                throw new UnsupportedImageException(what + which + " has an external data file");
            }
            if (h.has(Header.INCOMPAT_CORRUPT)) {
                throw new UnsupportedImageException(what + which + " is marked corrupt");
            }
        }
        if (u.compressionType != 0) {
            throw new UnsupportedImageException(what + "the upper image uses zstd compression");
        }
        // Persistent dirty bitmaps of the lower image would miss the clusters the merge changes.
        if ((l.autoclearFeatures & Header.AUTOCLEAR_BITMAPS) != 0 || l.extension(HeaderExtension.BITMAPS) != null) {
            throw new UnsupportedImageException(what + "the lower image has persistent bitmaps");
        }
    }

    /** Walks every lower cluster the upper image has anything allocated over, in ascending order, once each. */
    private void forEachCandidate(ClusterVisitor v) throws IOException {
        long[] l1 = upper.activeL1();
        long size = upper.header.size;
        long last = -1;
        for (int i = 0; i < l1.length; i++) {
            long l2Off = l1[i] & Geometry.L1E_OFFSET_MASK;
            if (l2Off == 0) {
                continue;
            }
            byte[] l2 = upper.tables.readL2(l2Off);
            for (int j = 0; j < ug.l2Entries; j++) {
                long e = Bytes.u64(l2, j * ug.l2EntryBytes);
                boolean allocated = ug.extendedL2
                        ? Tables.compressed(e) || Bytes.u64(l2, j * ug.l2EntryBytes + 8) != 0
                        : e != 0;
                if (!allocated) {
                    continue;
                }
                long start = ug.clusterOffset((long) i * ug.l2Entries + j);
                if (start >= size) {
                    break;
                }
                long end = Math.min(start + ug.clusterSize, size);
                for (long k = Math.max(lg.clusterIndex(start), last + 1); k <= lg.clusterIndex(end - 1); k++) {
                    v.visit(k);
                    last = k;
                }
            }
        }
    }

    /**
     * Decides what lower cluster {@code k} becomes; for {@link Action#DATA} with {@code slot} 0 or
     * more, its new contents go to that cluster-sized slot of {@link #run} (some of it only once
     * {@code upperReader.completeReads()} ran); the plan passes -1, it needs only the decision.
     * Refuses (before any write, since the plan runs it first) a partly covered cluster whose
     * uncovered part the lower image would read from its own backing file.
     */
    private Action classify(long k, int slot) throws IOException {
        boolean withData = slot >= 0;
        int at = withData ? slot * lg.clusterSize : 0;
        long base = lg.clusterOffset(k);
        int len = (int) Math.min(lg.clusterSize, lower.header.size - base);
        int n = (len + granule - 1) / granule;
        if (withData && n * granule < lg.clusterSize) {
            for (int i = at + n * granule; i < at + lg.clusterSize; i++) {
                run.put(i, (byte) 0);
            }
        }
        upperReader.read(base, n * granule, granule, upperState, withData ? run : null, at);
        boolean anyUnallocated = false;
        boolean allUnallocated = true;
        boolean allZero = true;
        for (int i = 0; i < n; i++) {
            anyUnallocated |= upperState[i] == LayerReader.UNALLOCATED;
            allUnallocated &= upperState[i] == LayerReader.UNALLOCATED;
            allZero &= upperState[i] == LayerReader.ZERO;
        }
        if (allUnallocated) {
            return Action.KEEP;
        }
        if (allZero && (lower.header.version >= 3 || !lowerHasBacking)) {
            return Action.ZERO;
        }
        if (anyUnallocated) {
            int ls = lowerReader.subclusterSize;
            int ln = (len + ls - 1) / ls;
            lowerReader.read(base, ln * ls, ls, lowerState, withData ? lowerBuf : null, 0);
            lowerReader.completeReads();
            for (int i = 0; i < n; i++) {
                if (upperState[i] != LayerReader.UNALLOCATED) {
                    continue;
                }
                int from = i * granule;
                if (lowerHasBacking && lowerState[from / ls] == LayerReader.UNALLOCATED) {
                    throw new UnsupportedImageException("cannot merge: the upper image covers lower cluster at guest offset "
                            + base + " only partly, and the rest reads from the lower image's backing file");
                }
                if (withData) {
                    run.put(at + from, lowerBuf, from, granule);
                }
            }
        }
        return Action.DATA;
    }

    /** {data clusters, zero clusters, lower L2 tables touched}. */
    private long[] plan() throws IOException {
        long[] counts = new long[3];
        long[] lastTable = {-1};
        forEachCandidate(k -> {
            Action a = classify(k, -1);
            if (a == Action.KEEP) {
                return;
            }
            counts[a == Action.DATA ? 0 : 1]++;
            long t = k / lg.l2Entries;
            if (t != lastTable[0]) {
                counts[2]++;
                lastTable[0] = t;
            }
        });
        return counts;
    }

    /**
     * An upper bound of the bytes the merge may add to the lower file: new data clusters and L2
     * tables, the new L1, a copy of every refcount block that exists or will, a new refcount table.
     */
    private long spaceRequired(long[] plan) {
        long newClusters = plan[0] + plan[2] + lg.clustersFor((long) lower.header.l1Size * 8);
        long existingBlocks = 0;
        for (long b = 0; b < lower.refcounts.tableEntries(); b++) {
            existingBlocks += lower.refcounts.blockOffset(b) != 0 ? 1 : 0;
        }
        long blocks = existingBlocks + newClusters / lg.refcountsPerBlock + 2;
        long table = lg.clustersFor((lower.refcounts.tableEntries() + blocks) * 8L) + 1;
        return lg.clusterOffset(newClusters + blocks + table);
    }

    private Prepared write(ImageChange change, long[] plan, long spaceRequired, WriteRecorder recorder)
            throws IOException {
        long[] l1 = lower.activeL1();
        long[] written = new long[3];
        TableEdit[] current = {null};
        HeaderSwitch sw;
        try {
            forEachCandidate(k -> {
                // A run holds clusters next to each other under one lower L2 table.
                if (runLength > 0 && (k != runStart + runLength || runLength == runClusters
                        || k / lg.l2Entries != runStart / lg.l2Entries)) {
                    written[0] += writeRun(change, current[0]);
                }
                Action a = classify(k, runLength);
                if (a == Action.KEEP) {
                    return;
                }
                int t = (int) (k / lg.l2Entries);
                if (current[0] == null || current[0].l1Index != t) {
                    if (current[0] != null) {
                        l1[current[0].l1Index] = current[0].finish(change);
                        written[2]++;
                    }
                    current[0] = new TableEdit(t, l1[t] & Geometry.L1E_OFFSET_MASK);
                }
                if (a == Action.DATA) {
                    if (runLength++ == 0) {
                        runStart = k;
                    }
                    return;
                }
                int j = (int) (k % lg.l2Entries);
                if (lg.extendedL2) {
                    current[0].set(j, 0, 0xffffffffL << 32);
                } else {
                    current[0].set(j, lower.header.version >= 3 ? Geometry.OFLAG_ZERO : 0, 0);
                }
                written[1]++;
            });
            if (current[0] != null) {
                written[0] += writeRun(change, current[0]);
                l1[current[0].l1Index] = current[0].finish(change);
                written[2]++;
            }
            if (written[2] == 0) {
                byte[] same = new byte[lower.header.version >= 3 ? 72 : 48];
                recorder.inner().read(Header.COMMIT_OFFSET, same);
                return new Prepared(new MergeResult(0, 0, 0, 0, spaceRequired),
                        new ImageChange.Written(new HeaderSwitch(recorder.inner(), same), recorder.restore()));
            }
            long l1Off = Tables.replaceActiveL1(change, lower.header, l1);
            sw = change.writeNewClusters(lower.header.size, l1.length, l1Off, lower.header.nbSnapshots,
                    lower.header.snapshotsOffset).headerSwitch();
        } catch (IOException | RuntimeException e) {
            // Only clusters free in the committed image were written: put their old bytes back, cut the growth.
            try {
                recorder.restore().run();
                recorder.release();
            } catch (IOException | RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        return new Prepared(new MergeResult(written[0], written[1], written[2],
                lg.clusterOffset(written[0] + written[2]), spaceRequired),
                new ImageChange.Written(new HeaderSwitch(recorder.inner(), sw.commitBytes()), recorder.restore()));
    }

    /**
     * Writes the gathered run to new clusters in one write and points its entries of
     * {@code table} (the run's L2 table) at them; returns the clusters written.
     */
    private int writeRun(ImageChange change, TableEdit table) throws IOException {
        int n = runLength;
        if (n == 0) {
            return 0;
        }
        int bytes = n * lg.clusterSize;
        // The common case, a run stored in one piece in the upper file: copied file to file.
        long from = upperReader.takeWholeRead(run, bytes);
        long off;
        if (from >= 0) {
            off = change.copyAppended(upper.storage, from, bytes);
        } else {
            upperReader.completeReads();
            off = change.writeAppended(run.slice(0, bytes));
        }
        for (int i = 0; i < n; i++) {
            table.set((int) ((runStart + i) % lg.l2Entries), off + lg.clusterOffset(i),
                    lg.extendedL2 ? 0xffffffffL : 0);
        }
        runLength = 0;
        return n;
    }

    /** One lower L2 table being rewritten into a new copy. */
    private final class TableEdit {
        final int l1Index;
        final long oldOffset;
        final byte[] l2;
        final boolean[] touched = new boolean[lg.l2Entries];
        final long[] oldEntries = new long[lg.l2Entries];

        TableEdit(int l1Index, long oldOffset) throws IOException {
            this.l1Index = l1Index;
            this.oldOffset = oldOffset;
            this.l2 = oldOffset == 0 ? new byte[lg.clusterSize] : lower.tables.readL2(oldOffset);
        }

        void set(int j, long entry, long bitmap) {
            touched[j] = true;
            oldEntries[j] = Bytes.u64(l2, j * lg.l2EntryBytes);
            Bytes.put64(l2, j * lg.l2EntryBytes, entry);
            if (lg.extendedL2) {
                Bytes.put64(l2, j * lg.l2EntryBytes + 8, bitmap);
            }
        }

        /**
         * Settles the references, sets OFLAG_COPIED from the refcounts, writes the copy to a new
         * cluster and returns its L1 entry. A data cluster's refcount counts the L1 tables that
         * reach it (a table shared with a snapshot passes one reference per L1 on to its data),
         * so the copy takes over the active L1's references of untouched entries unchanged,
         * whether the old table was shared or not, and replaced entries drop theirs.
         */
        long finish(ImageChange change) throws IOException {
            ClusterAllocator clusters = change.clusters;
            for (int j = 0; j < lg.l2Entries; j++) {
                if (touched[j]) {
                    adjustReferences(clusters, oldEntries[j], -1);
                }
            }
            if (oldOffset != 0) {
                clusters.adjust(lg.clusterIndex(oldOffset), -1);
            }
            for (int j = 0; j < lg.l2Entries; j++) {
                long e = Bytes.u64(l2, j * lg.l2EntryBytes);
                long off = Tables.dataOffset(e);
                if (off != 0) {
                    boolean one = clusters.refcount(lg.clusterIndex(off)) == 1;
                    Bytes.put64(l2, j * lg.l2EntryBytes, one ? e | Geometry.OFLAG_COPIED : e & ~Geometry.OFLAG_COPIED);
                }
            }
            return change.writeAppended(ByteBuffer.wrap(l2)) | Geometry.OFLAG_COPIED;
        }

        private void adjustReferences(ClusterAllocator clusters, long e, long delta) throws IOException {
            if (Tables.compressed(e)) {
                for (long c = lg.compressedFirstCluster(e); c <= lg.compressedLastCluster(e); c++) {
                    clusters.adjust(c, delta);
                }
            } else if (Tables.dataOffset(e) != 0) {
                clusters.adjust(lg.clusterIndex(Tables.dataOffset(e)), delta);
            }
        }
    }
}
