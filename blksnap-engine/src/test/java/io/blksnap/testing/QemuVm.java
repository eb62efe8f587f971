package io.blksnap.testing;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running QEMU with no guest ({@code qemu-system-x86_64 -M none}) whose disks are qcow2 block
 * nodes, reachable over a QMP socket: what the live-VM tests drive. Close to stop it.
 */
public final class QemuVm implements AutoCloseable {

    private final Process process;
    private final Path qmpSocket;
    private final Path log;

    private QemuVm(Process process, Path qmpSocket, Path log) {
        this.process = process;
        this.qmpSocket = qmpSocket;
        this.log = log;
    }

    /** Starts QEMU with each image as the qcow2 node named by its key; returns once QMP listens. */
    public static QemuVm start(Path qmpSocket, Map<String, Path> nodes) throws Exception {
        return start(qmpSocket, nodes, List.of());
    }

    /**
     * As {@link #start(Path, Map)}, with more QEMU arguments (a second monitor, say:
     * {@code -qmp unix:OTHER,server=on,wait=off}, since QEMU serves one client per monitor).
     */
    public static QemuVm start(Path qmpSocket, Map<String, Path> nodes, List<String> extra) throws Exception {
        List<String> blockdevs = new ArrayList<>();
        for (Map.Entry<String, Path> n : new LinkedHashMap<>(nodes).entrySet()) {
            blockdevs.add("driver=qcow2,node-name=" + n.getKey() + ",file.driver=file,file.filename=" + n.getValue());
        }
        return launch(qmpSocket, blockdevs, extra);
    }

    /**
     * Starts QEMU with one backing chain of named qcow2 nodes: {@code baseFirst} in iteration order
     * (use a LinkedHashMap), each node backed by the one before it, the last one the active layer (the
     * first one opens its own backing file, if its image names one).
     */
    public static QemuVm startChain(Path qmpSocket, LinkedHashMap<String, Path> baseFirst) throws Exception {
        List<String> blockdevs = new ArrayList<>();
        String below = null;
        for (Map.Entry<String, Path> n : baseFirst.entrySet()) {
            blockdevs.add("driver=qcow2,node-name=" + n.getKey() + (below == null ? "" : ",backing=" + below)
                    + ",file.driver=file,file.filename=" + n.getValue());
            below = n.getKey();
        }
        return launch(qmpSocket, blockdevs, List.of());
    }

    private static QemuVm launch(Path qmpSocket, List<String> blockdevs, List<String> extra) throws Exception {
        Qemu.require("qemu-system-x86_64");
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-M", "none", "-nodefaults",
                "-display", "none", "-qmp", "unix:" + qmpSocket + ",server=on,wait=off"));
        for (String b : blockdevs) {
            cmd.add("-blockdev");
            cmd.add(b);
        }
        cmd.addAll(extra);
        Path log = Files.createTempFile("qemu-vm", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        QemuVm vm = new QemuVm(p, qmpSocket, log);
        // QEMU creates the socket file when it binds, a moment before it listens: wait until a
        // connection is accepted, not just for the file
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!accepts(qmpSocket)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                vm.close();
                throw new AssertionError("QEMU did not start: " + vm.output());
            }
            Thread.sleep(20);
        }
        return vm;
    }

    private static boolean accepts(Path socket) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path qmpSocket() {
        return qmpSocket;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for QEMU to exit by itself (after a QMP {@code quit}). */
    public boolean awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        Files.deleteIfExists(qmpSocket);
        Files.deleteIfExists(log);
    }
}
