package io.blksnap.qcow2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A read-only consistency check in the manner of {@code qemu-img check}: count every reference
 * to every host cluster, compare with the stored refcounts, and verify OFLAG_COPIED in the
 * active tables. With repair, leaked refcounts are lowered in place (a crash while doing so can
 * only leave leaks behind).
 */
final class Checker {

    private static final int MAX_MESSAGES = 1000;

    private final ImageMetadata m;
    private final Geometry g;
    private final long fileSize;
    private int[] refs;
    private long corruptions;
    private long maxReferenced = -1;
    private long allocated;
    private final List<String> messages = new ArrayList<>();

    private Checker(ImageMetadata m) throws IOException {
        this.m = m;
        this.g = m.g;
        this.fileSize = m.storage.size();
        this.refs = new int[(int) Math.max(16, g.clustersFor(fileSize))];
    }

    static CheckResult check(ImageMetadata m, boolean repairLeaks) throws IOException {
        return new Checker(m).run(repairLeaks);
    }

    private CheckResult run(boolean repair) throws IOException {
        Header h = m.header;
        if (repair && !m.problems.isEmpty()) {
            throw new MalformedImageException("image is corrupt, refusing to repair leaks: " + m.problems.get(0)
                    + "; only 'qemu-img check -r all' can repair it");
        }
        for (String p : m.problems) {
            corruption("ERROR " + p);
        }
        ref(0, 1, "header");
        ref(h.refcountTableOffset, (long) h.refcountTableClusters * g.clusterSize, "refcount table");
        for (long b = 0; b < m.refcounts.tableEntries(); b++) {
            long off = m.refcounts.blockOffset(b);
            if (off != 0) {
                ref(off, g.clusterSize, "refcount block " + b);
            }
        }
        walkL1(h.l1TableOffset, h.l1Size, true, "active");
        if (m.snapshots.bytes() > 0) {
            ref(m.snapshots.offset(), m.snapshots.bytes(), "snapshot table");
        }
        for (SnapshotEntry e : m.snapshots.entries()) {
            walkL1(e.l1Offset(), e.l1Size(), false, "snapshot " + e.snapshot().id());
        }
        HeaderExtension crypto = h.extension(HeaderExtension.CRYPTO);
        if (crypto != null) {
            ref(Bytes.u64(crypto.data(), 0), Bytes.u64(crypto.data(), 8), "crypto header");
        }
        if ((h.autoclearFeatures & Header.AUTOCLEAR_BITMAPS) != 0) {
            HeaderExtension bitmaps = h.extension(HeaderExtension.BITMAPS);
            if (bitmaps != null) {
                new BitmapRefs(m, this::ref).walk(bitmaps.data());
            }
        }

        long leaks = 0;
        long repaired = 0;
        long n = Math.max(refs.length, m.refcounts.coveredClusters());
        long perBlock = g.refcountsPerBlock;
        Map<Long, Long> fixes = new TreeMap<>();
        for (long c = 0; c < n; c++) {
            if (c >= refs.length && c % perBlock == 0 && m.refcounts.blockOffset(c / perBlock) == 0) {
                // Past every reference, a missing refcount block holds nothing: skip it whole. (A
                // refcount table can describe billions of clusters, e.g. with refcount_bits=1.)
                c += perBlock - 1;
                continue;
            }
            long stored = c < m.refcounts.coveredClusters() ? m.refcounts.refcount(c) : 0;
            long found = c < refs.length ? refs[(int) c] : 0;
            if (stored > found) {
                leaks++;
                if (repair) {
                    fixes.put(c, found);
                } else {
                    say("Leaked cluster " + c + " refcount=" + stored + " reference=" + found);
                }
            } else if (stored < found) {
                corruption("ERROR cluster " + c + " refcount=" + stored + " reference=" + found);
            }
        }
        if (repair && !fixes.isEmpty()) {
            repaired = new LeakRepair(m).apply(fixes);
        }
        checkCopied(fixes);
        long end = (maxReferenced + 1) * g.clusterSize;
        long total = g.clustersFor(h.size);
        return new CheckResult(leaks, corruptions, repaired, end, total, allocated, List.copyOf(messages));
    }

    /** OFLAG_COPIED in the active tables must be set exactly where the refcount is 1. */
    private void checkCopied(Map<Long, Long> fixed) throws IOException {
        long[] l1;
        try {
            l1 = m.activeL1();
        } catch (MalformedImageException e) {
            return; // already counted while walking
        }
        for (int i = 0; i < l1.length; i++) {
            long l2Off = l1[i] & Geometry.L1E_OFFSET_MASK;
            if (l2Off == 0 || !g.aligned(l2Off) || l2Off >= fileSize) {
                continue;
            }
            long rc = refcountAfter(g.clusterIndex(l2Off), fixed);
            if ((rc == 1) != ((l1[i] & Geometry.OFLAG_COPIED) != 0)) {
                corruption("ERROR OFLAG_COPIED L2 cluster: l1_index=" + i + " l1_entry=" + Long.toHexString(l1[i])
                        + " refcount=" + rc);
            }
            byte[] l2 = m.tables.readL2(l2Off);
            for (int j = 0; j < g.l2Entries; j++) {
                long e = m.tables.entry(l2, j);
                long off = Tables.dataOffset(e);
                if (off == 0 || !g.aligned(off)) {
                    continue;
                }
                long drc = refcountAfter(g.clusterIndex(off), fixed);
                if ((drc == 1) != ((e & Geometry.OFLAG_COPIED) != 0)) {
                    corruption("ERROR OFLAG_COPIED data cluster: l2_entry=" + Long.toHexString(e) + " refcount=" + drc);
                }
            }
        }
    }

    private long refcountAfter(long cluster, Map<Long, Long> fixed) throws IOException {
        Long f = fixed.get(cluster);
        return f != null ? f : m.refcounts.refcount(cluster);
    }

    private void walkL1(long l1Off, int l1Size, boolean active, String what) throws IOException {
        if (l1Size == 0) {
            return;
        }
        if (l1Size < 0 || l1Size > Header.MAX_L1_BYTES / 8 || l1Off <= 0 || !g.aligned(l1Off)
                || l1Off > fileSize - (long) l1Size * 8) {
            corruption("ERROR " + what + " L1 table at 0x" + Long.toHexString(l1Off) + " is invalid");
            return;
        }
        ref(l1Off, (long) l1Size * 8, what + " L1 table");
        byte[] raw = new byte[l1Size * 8];
        m.storage.read(l1Off, raw);
        for (int i = 0; i < l1Size; i++) {
            long e = Bytes.u64(raw, i * 8);
            if ((e & Geometry.L1E_RESERVED_MASK) != 0) {
                corruption("ERROR " + what + " L1 entry " + i + " has reserved bits set");
            }
            long l2Off = e & Geometry.L1E_OFFSET_MASK;
            if (l2Off == 0) {
                continue;
            }
            if (!g.aligned(l2Off)) {
                corruption("ERROR " + what + " L2 table offset 0x" + Long.toHexString(l2Off) + " is unaligned");
                continue;
            }
            ref(l2Off, g.clusterSize, what + " L2 table");
            if (l2Off + g.clusterSize > fileSize) {
                continue; // counted as a reference past the end of the file
            }
            walkL2(m.tables.readL2(l2Off), active, what);
        }
    }

    private void walkL2(byte[] l2, boolean active, String what) {
        for (int j = 0; j < g.l2Entries; j++) {
            long e = m.tables.entry(l2, j);
            if (Tables.compressed(e)) {
                if ((e & Geometry.OFLAG_COPIED) != 0) {
                    corruption("ERROR " + what + ": compressed cluster with OFLAG_COPIED");
                }
                long first = g.compressedFirstCluster(e);
                long last = g.compressedLastCluster(e);
                for (long c = first; c <= last; c++) {
                    refCluster(c, what + " compressed data");
                }
                if (active) {
                    allocated++;
                }
                continue;
            }
            long off = Tables.dataOffset(e);
            if (off == 0) {
                continue;
            }
            if (!g.aligned(off)) {
                corruption("ERROR " + what + ": data cluster offset 0x" + Long.toHexString(off) + " is unaligned");
                continue;
            }
            refCluster(g.clusterIndex(off), what + " data");
            if (active) {
                allocated++;
            }
        }
    }

    /** Counts a reference to every cluster of a byte range. */
    void ref(long offset, long bytes, String what) {
        if (bytes <= 0) {
            return;
        }
        long first = g.clusterIndex(offset);
        long last = g.clusterIndex(offset + bytes - 1);
        for (long c = first; c <= last; c++) {
            refCluster(c, what);
        }
    }

    private void refCluster(long c, String what) {
        if (c >= g.clustersFor(fileSize)) {
            corruption("ERROR " + what + " at 0x" + Long.toHexString(g.clusterOffset(c)) + " is past the end of the file");
            return;
        }
        if (c >= refs.length) {
            refs = Arrays.copyOf(refs, (int) Math.max(c + 1, refs.length * 2L));
        }
        if (refs[(int) c] < Integer.MAX_VALUE) {
            refs[(int) c]++;
        }
        maxReferenced = Math.max(maxReferenced, c);
    }

    private void corruption(String message) {
        corruptions++;
        say(message);
    }

    private void say(String message) {
        if (messages.size() < MAX_MESSAGES) {
            messages.add(message);
        }
    }
}
