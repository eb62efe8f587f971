package io.blksnap.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real QEMU process holding an image open for writing: {@code qemu-io} in interactive mode, or
 * {@code qemu-system-x86_64} with the image as a block node and no guest. Close to stop it.
 */
public final class QemuHolder implements AutoCloseable {

    private final Process process;

    private QemuHolder(Process process) {
        this.process = process;
    }

    /** qemu-io with its standard input left open, so it keeps the image and its locks. */
    public static QemuHolder qemuIo(Path image) throws Exception {
        Qemu.require("qemu-io");
        return started(image, () -> new ProcessBuilder("qemu-io", "-f", "qcow2", image.toString())
                .redirectErrorStream(true).start());
    }

    public static QemuHolder qemuSystem(Path image, Path qmpSocket) throws Exception {
        Qemu.require("qemu-system-x86_64");
        return started(image, () -> new ProcessBuilder("qemu-system-x86_64", "-M", "none", "-nodefaults",
                "-display", "none", "-qmp", "unix:" + qmpSocket + ",server=on,wait=off",
                "-blockdev", "driver=qcow2,node-name=disk0,file.driver=file,file.filename=" + image)
                .redirectErrorStream(true).start());
    }

    private interface Start {
        Process start() throws IOException;
    }

    /**
     * Starts the holder and waits for its lock. The wait polls with {@code qemu-img info}, which
     * itself takes a lock for a moment: a QEMU that opens the image in that moment exits with
     * "Failed to get ... lock". That is the probe's doing, not a holder: start again (a few times).
     */
    private static QemuHolder started(Path image, Start start) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return waitForLock(new QemuHolder(start.start()), image);
            } catch (AssertionError e) {
                if (attempt >= 5 || e.getMessage() == null || !e.getMessage().contains("exited early")
                        || !e.getMessage().contains("lock")) {
                    throw e;
                }
            }
        }
    }

    /** Waits until the process has the image open (qemu-img info without -U then fails). */
    private static QemuHolder waitForLock(QemuHolder h, Path image) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!h.process.isAlive()) {
                throw new AssertionError("QEMU exited early: " + new String(h.process.getInputStream().readAllBytes()));
            }
            Qemu.Result r = Qemu.img("info", image.toString());
            if (r.exit() != 0 && r.err().contains("lock")) {
                return h;
            }
            Thread.sleep(50);
        }
        h.close();
        throw new AssertionError("QEMU never locked " + image);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
