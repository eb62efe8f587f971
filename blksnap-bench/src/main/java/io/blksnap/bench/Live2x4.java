package io.blksnap.bench;

import io.blksnap.qmp.QmpClient;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuVm;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.Transaction;
import io.blksnap.txn.TransactionResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two running VMs ({@code qemu-system-x86_64 -M none}) with four lightly written qcow2 disks each.
 * blksnap: one engine transaction snapshotting all eight disks (both VMs paused, one QMP
 * {@code transaction} per VM, the commit record, both resumed), then one deleting the snapshot from
 * all eight. The plain client: each VM's own QMP {@code transaction} of its four disks, one VM after
 * the other, then the eight deletions. Each side has its own two VMs on its own copies of the images.
 * Besides the usual figures it reports the median of the longest per-VM pause of the engine's
 * snapshot transactions.
 */
final class Live2x4 extends Scenario {

    private static final int VMS = 2;
    private static final int DISKS = 4;
    private static final long SIZE = 64L << 20;
    private static final Duration QMP_WAIT = Duration.ofSeconds(30);

    private final List<QemuVm> vms = new ArrayList<>();
    private final List<Double> pauses = new ArrayList<>();
    private SnapshotEngine engine;
    private List<String> devices;
    private List<QmpClient> plain;

    Live2x4(Config config) {
        super(config);
    }

    @Override
    String name() {
        return "live2x4";
    }

    @Override
    double target() {
        return 1.0;
    }

    @Override
    int defaultIterations() {
        return 9;
    }

    @Override
    int minJitIterations() {
        return 30;
    }

    @Override
    String describe() {
        return "blksnap: SnapshotEngine over " + VMS + " running VMs x " + DISKS + " disks (one transaction creating"
                + " the snapshot on all " + VMS * DISKS + ", then one deleting it); plain QMP client: per VM one"
                + " 'transaction' of its " + DISKS + " blockdev-snapshot-internal-sync actions, VM after VM, then a"
                + " blockdev-snapshot-delete-internal-sync per disk";
    }

    @Override
    List<Path> makeTemplates(Path setupDir) throws Exception {
        List<Path> out = new ArrayList<>();
        for (int v = 0; v < VMS; v++) {
            for (int d = 0; d < DISKS; d++) {
                Path img = setupDir.resolve("vm" + v + "-d" + d + ".qcow2");
                Qemu.img("create", "-q", "-f", "qcow2", img.toString(), Long.toString(SIZE)).ok();
                // lightly written: a few MiB spread over the disk
                Qemu.io(img, "write -P 0x" + Integer.toHexString(0x10 + v * DISKS + d) + " 0 2M");
                Qemu.io(img, "write -P 0x5a 32M 1M");
                out.add(img);
            }
        }
        return out;
    }

    /** Starts both sides' VMs and opens the engine over the blksnap side's, once. */
    private void start() throws Exception {
        if (engine != null) {
            return;
        }
        Path sockets = Files.createDirectories(Path.of("/tmp", "blksnap-bench-" + ProcessHandle.current().pid()));
        StringBuilder yaml = new StringBuilder("stateDir: " + dir.resolve("state") + "\ndevices:\n");
        devices = new ArrayList<>();
        plain = new ArrayList<>();
        Path overlays = Files.createDirectories(dir.resolve("overlays"));
        for (int side = 0; side < 2; side++) {
            for (int v = 0; v < VMS; v++) {
                Map<String, Path> nodes = new LinkedHashMap<>();
                for (int d = 0; d < DISKS; d++) {
                    Pair p = pairs.get(v * DISKS + d);
                    nodes.put("d" + d, side == 0 ? p.blksnap() : p.qemuImg());
                }
                Path socket = sockets.resolve((side == 0 ? "b" : "q") + v + ".qmp");
                vms.add(QemuVm.start(socket, nodes));
                if (side == 0) {
                    for (Map.Entry<String, Path> n : nodes.entrySet()) {
                        String device = "vm" + v + "-" + n.getKey();
                        devices.add(device);
                        yaml.append("  - name: ").append(device).append("\n    image: ").append(n.getValue())
                                .append("\n    overlayDir: ").append(overlays).append("\n    qmpSocket: ").append(socket)
                                .append("\n    node: ").append(n.getKey()).append('\n');
                    }
                } else {
                    plain.add(QmpClient.connect(socket, QMP_WAIT));
                }
            }
        }
        Path devicesYaml = dir.resolve("devices.yaml");
        Files.writeString(devicesYaml, yaml);
        engine = SnapshotEngine.open(devicesYaml);
    }

    @Override
    void probe() throws Exception {
        start();
        blksnapIteration("bench-probe");
        pauses.clear();
    }

    @Override
    void blksnapIteration(String snap) throws Exception {
        start();
        Instant now = Instant.now();
        // as GroupOperations does: each transaction's requests checked as one batch
        Transaction create = engine.begin();
        create.addAll(devices.stream().map(d -> InternalSnapshotRequest.create(d, snap, now)).toList());
        TransactionResult r = committed(create.submit(), "create " + snap);
        if (r.vms().size() != VMS) {
            throw new BenchException("transaction " + r.id() + " reports " + r.vms().size() + " VMs, expected " + VMS);
        }
        pauses.add(r.longestPauseMillis());
        Transaction delete = engine.begin();
        delete.addAll(devices.stream().map(d -> InternalSnapshotRequest.delete(d, snap)).toList());
        committed(delete.submit(), "delete " + snap);
    }

    private static TransactionResult committed(TransactionResult r, String what) {
        if (!r.committed()) {
            throw new BenchException("transaction " + r.id() + " (" + what + ") " + r.status() + ": " + r.reason());
        }
        return r;
    }

    @Override
    void qemuImgIteration(String snap) throws Exception {
        start();
        for (QmpClient vm : plain) {
            List<Map<String, Object>> actions = new ArrayList<>();
            for (int d = 0; d < DISKS; d++) {
                actions.add(Map.of("type", "blockdev-snapshot-internal-sync",
                        "data", Map.of("device", "d" + d, "name", snap)));
            }
            vm.execute("transaction", Map.of("actions", actions), QMP_WAIT);
        }
        for (QmpClient vm : plain) {
            for (int d = 0; d < DISKS; d++) {
                vm.execute("blockdev-snapshot-delete-internal-sync", Map.of("device", "d" + d, "name", snap), QMP_WAIT);
            }
        }
    }

    /** The engine's pauses: only the timed pairs' (warm-up ones are cleared before timing). */
    @Override
    void beforeTiming() {
        pauses.clear();
    }

    /** QEMU holds the images while it runs: stop every VM (cleanly) before qemu-img checks them. */
    @Override
    void beforeVerify() throws Exception {
        closeAll();
    }

    @Override
    String extraResult() {
        return String.format(Locale.ROOT, " pause_ms=%.1f", Stats.median(pauses));
    }

    @Override
    String extraDiagnostics() {
        return "pause_ms (longest per-VM pause of each timed snapshot transaction): " + Stats.list(pauses)
                + "; target: under 50 ms";
    }

    private void closeAll() throws Exception {
        if (engine != null) {
            engine.close();
            engine = null;
        }
        if (plain != null) {
            plain.forEach(QmpClient::close);
            plain = null;
        }
        for (QemuVm vm : vms) {
            vm.close();
        }
        vms.clear();
    }

    @Override
    public void close() {
        try {
            closeAll();
        } catch (Exception e) {
            System.out.println("# live2x4: stopping the VMs failed: " + e);
        }
        super.close();
    }
}
