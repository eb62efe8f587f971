package io.blksnap.qcow2;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lowers leaked refcounts to the references actually found, one refcount block write at a time.
 * Only ever decreasing refcounts that exceed their references, a crash part-way leaves leaks.
 */
final class LeakRepair {

    private final ImageMetadata m;

    LeakRepair(ImageMetadata m) {
        this.m = m;
    }

    /** {@code fixes}: cluster index to its correct refcount, in ascending cluster order. */
    long apply(Map<Long, Long> fixes) throws IOException {
        Geometry g = m.g;
        Map<Long, byte[]> blocks = new TreeMap<>();
        for (Map.Entry<Long, Long> f : fixes.entrySet()) {
            long blockIndex = f.getKey() / g.refcountsPerBlock;
            byte[] b = blocks.get(blockIndex);
            if (b == null) {
                byte[] stored = m.refcounts.block(blockIndex);
                if (stored == null) {
                    continue;
                }
                b = stored.clone();
                blocks.put(blockIndex, b);
            }
            RefcountBlock.set(b, (int) (f.getKey() % g.refcountsPerBlock), g.refcountOrder, f.getValue());
        }
        for (Map.Entry<Long, byte[]> e : blocks.entrySet()) {
            m.storage.write(m.refcounts.blockOffset(e.getKey()), e.getValue());
        }
        m.storage.flush();
        return fixes.size();
    }
}
