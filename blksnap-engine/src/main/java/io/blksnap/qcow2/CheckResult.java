package io.blksnap.qcow2;

import java.util.List;

/**
 * What a consistency check found, classified as {@code qemu-img check} classifies it.
 *
 * @param leakedClusters    clusters whose stored refcount exceeds the references found (harmless)
 * @param corruptions       references the refcounts do not cover, bad offsets, wrong OFLAG_COPIED...
 * @param repairedLeaks     leaks fixed by this run (only with repair)
 * @param messages          one line per problem, in the order found
 */
public record CheckResult(long leakedClusters, long corruptions, long repairedLeaks, long imageEndOffset,
                          long totalClusters, long allocatedClusters, List<String> messages) {

    /** {@code qemu-img check}'s exit code: 0 clean, 2 corruptions, 3 leaks only. */
    public int exitCode() {
        if (corruptions > 0) {
            return 2;
        }
        return leakedClusters > repairedLeaks ? 3 : 0;
    }
}
