package io.blksnap.bench;

/** A benchmark precondition or verification failed: the run must exit non-zero. */
final class BenchException extends RuntimeException {

    BenchException(String message) {
        super(message);
    }
}
