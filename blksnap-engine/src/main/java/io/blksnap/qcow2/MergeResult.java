package io.blksnap.qcow2;

/**
 * What a merge of an upper image into the image below it did (see {@link Qcow2Image#commit}):
 * lower clusters given new data, lower clusters turned into zero clusters, lower L2 tables
 * replaced, the bytes written to new clusters, and the space that was required free beforehand.
 */
public record MergeResult(long dataClusters, long zeroClusters, long l2Tables, long bytesWritten,
                          long spaceRequired) {
}
