package io.blksnap.txn;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.PreparedChange;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotRef;
import io.blksnap.qcow2.SnapshotException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.blksnap.qmp.BlockCommit;
import io.blksnap.qmp.BlockNode;
import io.blksnap.registry.Device;
import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A disk of a running VM, reached only through QEMU over its QMP socket (QEMU holds the image
 * file: we never open it for writing). Its node is the one configured in devices.yaml, checked to
 * have the device's active layer open. A create is staged into the VM's {@link VmSession}, whose
 * one QMP transaction the runner sends while the VM is paused; a delete is validated in prepare
 * and done through QMP past the commit record.
 */
final class LiveDisk implements DeviceAccess {

    private final Device device;
    private final DeviceRegistry registry;
    private final VmSession vm;
    /** The node prepares act on, resolved once per transaction. */
    private String nodeName;

    LiveDisk(Device device, DeviceRegistry registry, VmSession vm) {
        this.device = device;
        this.registry = registry;
        this.vm = vm;
    }

    VmSession session() {
        return vm;
    }

    @Override
    public boolean live() {
        return true;
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public Path activeImage() throws IOException {
        return registry.activeImage(device.name());
    }

    @Override
    public Path overlayDir() {
        return device.overlayDir();
    }

    /**
     * The device's node: the configured node (or the top node of the configured device name)
     * when it has the device's active layer open, else the node that has; refused when none has.
     */
    BlockNode node() throws IOException {
        Path active = activeImage();
        BlockNode configured = vm.blockNode(device.node()).orElse(null);
        if (configured != null && same(configured.image(), active)) {
            nodeName = configured.nodeName();
            return configured;
        }
        for (BlockNode n : vm.blockNodes()) {
            if (same(n.image(), active)) {
                nodeName = n.nodeName();
                return n;
            }
        }
        throw new InvalidRequestException(name(), configured == null
                ? "QEMU at " + vm.socket() + " has no qcow2 node or device \"" + device.node() + "\""
                : "QEMU's node \"" + configured.nodeName() + "\" has " + configured.image()
                  + " open, not the device's active layer " + active);
    }

    /** Whether QEMU's {@code message} names this device's node (as its errors do: 'NODE'). */
    boolean nodeNamed(String message) {
        return nodeName != null && message.contains("'" + nodeName + "'");
    }

    private static boolean same(Path a, Path b) throws IOException {
        if (a.equals(b)) {
            return true;
        }
        return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    }

    private String nodeName() throws IOException {
        if (nodeName == null) {
            node();
        }
        return nodeName;
    }

    /** The VM answers, and the device's node exists, is qcow2 and is writable. */
    @Override
    public void checkUsable() throws IOException {
        BlockNode n = node();
        if (n.readOnly()) {
            throw new InvalidRequestException(name(), "QEMU has its node \"" + n.nodeName() + "\" open read-only");
        }
    }

    /** Whether QEMU still has the device's node; a VM that does not answer throws (recovery keeps it pending). */
    @Override
    public boolean present() throws IOException {
        try {
            node();
            return true;
        } catch (InvalidRequestException e) {
            return false;
        }
    }

    @Override
    public long virtualSize() throws IOException {
        return node().virtualSize();
    }

    @Override
    public boolean hasExternalDataFile() throws IOException {
        return node().externalDataFile();
    }

    @Override
    public List<Snapshot> snapshots() throws IOException {
        BlockNode n = node();
        List<Snapshot> out = new ArrayList<>();
        for (BlockNode.LiveSnapshot s : n.snapshots()) {
            out.add(new Snapshot(s.id(), s.name(), s.vmStateSize(), s.dateSec(), s.dateNsec(), s.vmClockNsec(), -1,
                    n.virtualSize()));
        }
        return out;
    }

    /** Only staged: the VM's QMP transaction makes it (QEMU stamps its own time and clock). */
    @Override
    public Prepared prepareCreate(NewSnapshot snapshot) throws IOException {
        return vm.stage(nodeName(), snapshot.name());
    }

    /** Only staged: the VM's {@code snapshot-save} makes it, with the VM's state, on all the VM's disks asking for it. */
    @Override
    public Prepared prepareCreateWithMemory(NewSnapshot snapshot, int order) throws IOException {
        return vm.stageWithMemory(nodeName(), snapshot.name(), order);
    }

    /** Validated now; QMP has no transactional delete, so the commit deletes it. */
    @Override
    public Prepared prepareDelete(SnapshotRef ref) throws IOException {
        Snapshot s = null;
        for (Snapshot x : snapshots()) {
            if ((ref.id() == null || ref.id().equals(x.id())) && (ref.name() == null || ref.name().equals(x.name()))) {
                s = x;
                break;
            }
        }
        if (s == null) {
            throw new SnapshotException("snapshot " + (ref.name() != null ? "\"" + ref.name() + "\"" : "with id " + ref.id())
                    + " does not exist on node \"" + nodeName() + "\"");
        }
        String node = nodeName();
        String id = s.id();
        String name = s.name();
        return Prepared.atCommit(id, () -> vm.deleteIfPresent(node, id, name));
    }

    /** QEMU's node name for an overlay: derived from its file, so recovery finds the node again. */
    static String overlayNode(Path overlay) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(overlay.toAbsolutePath().normalize().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return String.format("blksnap-%08x", crc.getValue());
    }

    /** {@code blockdev-add} with no backing opened (the base is QEMU's node already; the switch links them). */
    @Override
    public void stageOverlay(Path overlay) throws IOException {
        String base = nodeName();
        try {
            vm.qmp().execute("blockdev-add", Map.of("driver", "qcow2", "node-name", overlayNode(overlay),
                    "file", Map.of("driver", "file", "filename", overlay.toAbsolutePath().normalize().toString()),
                    "backing", NullNode.getInstance()));
        } finally {
            vm.changed();
        }
        vm.stageOverlay(base, overlayNode(overlay));
    }

    /**
     * Never a bare {@code blockdev-del} of an overlay in use: that drops the guest's writes to it.
     * One the switch made active is merged back with an active {@code block-commit} (which also
     * removes its node); one only added is removed.
     */
    @Override
    public boolean detachOverlay(Path overlay) throws IOException {
        String node = overlayNode(overlay);
        JsonNode n = vm.namedNode(node);
        if (n == null) {
            return false;
        }
        try {
            if (n.path("image").path("backing-image").isObject()) {
                BlockCommit.activeCommit(vm.qmp(), node, VmSession.TRANSACTION_TIMEOUT);
            } else {
                vm.qmp().execute("blockdev-del", Map.of("node-name", node));
            }
        } finally {
            vm.changed();
        }
        return true;
    }

    /** Whether some node of the VM has a snapshot named {@code name} with the VM's state in it. */
    boolean vmStateSaved(String name) throws IOException {
        for (BlockNode n : vm.vm().blockNodes()) {
            for (BlockNode.LiveSnapshot s : n.snapshots()) {
                if (s.name().equals(name) && s.vmStateSize() > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A snapshot with the VM's memory, loaded back past the commit record by one
     * {@code snapshot-load} over every disk of the VM (QEMU reverts them all and the memory):
     * staged here; before the commit record the VM's loads are checked to cover every device of
     * the VM in devices.yaml, under one name.
     */
    @Override
    public Prepared prepareApply(SnapshotRef ref) throws IOException {
        Snapshot s = null;
        for (Snapshot x : snapshots()) {
            if (ref.id() == null || ref.id().equals(x.id())) {
                s = x;
                break;
            }
        }
        if (s == null) {
            throw new SnapshotException("snapshot with id " + ref.id() + " does not exist on node \"" + nodeName() + "\"");
        }
        List<String> ofVm = new ArrayList<>();
        for (Device d : registry.devices()) {
            if (d.live() && d.qmpSocket().equals(device.qmpSocket())) {
                ofVm.add(d.name());
            }
        }
        return vm.stageLoad(name(), nodeName(), s.id(), s.name(), s.vmStateSize() > 0, ofVm);
    }

    /** QEMU holds the image; the transaction's device lock keeps other transactions off. */
    @Override
    public void hold() {
    }

    @Override
    public void holdOverlay(Path overlay) {
    }

    @Override
    public void releaseOverlay(Path overlay) {
    }

    /** The node's chain as QEMU has it open: the active layer first, then each backing image. */
    @Override
    public List<Path> chain() throws IOException {
        return layers().stream().map(DeviceView.Layer::file).toList();
    }

    /** The device as QEMU reports it ({@code query-named-block-nodes}): snapshots and the chain it has open. */
    DeviceView view() throws IOException {
        BlockNode n = node();
        return new DeviceView(name(), true, activeImage(), n.virtualSize(), layers(), snapshots());
    }

    /** The node's chain as QEMU has it open: the active layer first, then each backing image. */
    private List<DeviceView.Layer> layers() throws IOException {
        JsonNode n = vm.namedNode(nodeName());
        if (n == null) {
            throw new InvalidRequestException(name(), "QEMU at " + vm.socket() + " no longer has node \"" + nodeName() + "\"");
        }
        List<DeviceView.Layer> out = new ArrayList<>();
        for (JsonNode image = n.path("image"); image.hasNonNull("filename"); image = image.path("backing-image")) {
            out.add(new DeviceView.Layer(Path.of(image.path("filename").asText()).toAbsolutePath().normalize(),
                    image.path("format").asText(), image.path("virtual-size").asLong(),
                    image.path("actual-size").asLong()));
        }
        return List.copyOf(out);
    }

    // Merging or reverting an external chain of a running VM needs a live block-commit; the
    // external kinds refuse a live device at add, so these are never reached through them.

    @Override
    public List<Path> backedBy(Path layer) throws IOException {
        throw notLive();
    }

    @Override
    public PreparedChange prepareMerge(Path upper, Path lower) throws IOException {
        throw notLive();
    }

    @Override
    public String headerMark(Path image) throws IOException {
        throw notLive();
    }

    @Override
    public void replaceBackingFile(Path image, Path backing) throws IOException {
        throw notLive();
    }

    private InvalidRequestException notLive() {
        return new InvalidRequestException(name(), ExternalMember.NOT_LIVE);
    }
}
