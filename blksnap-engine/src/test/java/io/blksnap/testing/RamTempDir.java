package io.blksnap.testing;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code @TempDir(factory = RamTempDir.class)}: a temporary directory in /dev/shm (tmpfs) when
 * there is one with room, else the usual one. For tests that run hundreds of transactions, whose
 * every fsync would otherwise cost a disk flush. What they test is unchanged: a killed process's
 * writes stay in the page cache either way, and these tests never simulate a power loss.
 */
public final class RamTempDir implements TempDirFactory {

    @Override
    public Path createTempDirectory(AnnotatedElementContext elementContext, ExtensionContext extensionContext)
            throws Exception {
        Path shm = Path.of("/dev/shm");
        try {
            if (Files.isDirectory(shm) && Files.isWritable(shm)
                    && Files.getFileStore(shm).getUsableSpace() > (1L << 30)) {
                return Files.createTempDirectory(shm, "junit");
            }
        } catch (java.io.IOException | SecurityException e) {
            // fall back to the default temporary directory
        }
        return Files.createTempDirectory("junit");
    }
}
