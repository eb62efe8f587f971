package io.blksnap.testing;

import io.blksnap.registry.DeviceRegistry;
import io.blksnap.txn.EngineOptions;
import io.blksnap.txn.SnapshotEngine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Device groups for tests, the one way the engine's, the component's and the app's tests build them:
 * real qcow2 images made and written by QEMU, an overlay directory per device and a devices.yaml
 * naming them, laid out in one directory as
 * <pre>
 *   devices.yaml
 *   images/DEVICE.qcow2
 *   overlays/DEVICE/  (or one overlays/ for all, {@link Builder#sharedOverlayDir})
 *   state/            (the engine's journal, once an engine runs)
 * </pre>
 * Device number i (counted over all groups, in order) holds the byte {@code 0x10 + i} over its first
 * {@link Builder#written written} bytes, so devices differ (unless one {@link Builder#pattern} is given).
 */
public final class GroupFixture {

    public static final String DEVICES_YAML = "devices.yaml";

    public final Path dir;
    /** The devices of the first group, in order. */
    public final List<String> devices;
    private final boolean sharedOverlays;

    /** Group {@code g} of devices disk0..disk(n-1), 16M each. */
    public GroupFixture(Path dir, int n) throws Exception {
        this(in(dir).disks(n));
    }

    /** As {@link #GroupFixture(Path, int)}, {@code size} each, and with {@code clone} see {@link Builder#cloned}. */
    public GroupFixture(Path dir, int n, String size, boolean clone) throws Exception {
        this(in(dir).disks(n).size(size).cloned(clone));
    }

    private GroupFixture(Builder b) throws Exception {
        if (b.groups.isEmpty()) {
            throw new IllegalArgumentException("a fixture needs a group");
        }
        this.dir = b.dir;
        this.devices = List.copyOf(b.groups.values().iterator().next());
        this.sharedOverlays = b.sharedOverlays;
        StringBuilder yaml = new StringBuilder("stateDir: ").append(b.path(stateDir())).append("\ndevices:\n");
        List<String> all = new ArrayList<>();
        b.groups.values().forEach(all::addAll);
        for (int i = 0; i < all.size(); i++) {
            String name = all.get(i);
            Path img = image(name);
            Files.createDirectories(img.getParent());
            Files.createDirectories(overlayDir(name));
            if (b.clone && i > 0) {
                Files.copy(image(all.get(0)), img);
            } else {
                Qemu.img("create", "-q", "-f", "qcow2", img.toString(), b.size).ok();
                if (!b.written.equals("0")) {
                    Qemu.io(img, "write -P " + (b.pattern >= 0 ? b.pattern : 0x10 + i) + " 0 " + b.written);
                }
            }
            yaml.append("  - name: ").append(name)
                    .append("\n    image: ").append(b.path(img))
                    .append("\n    overlayDir: ").append(b.path(overlayDir(name))).append('\n');
            String[] live = b.live.get(name);
            if (live != null) {
                yaml.append("    qmpSocket: ").append(live[0]).append("\n    node: ").append(live[1]).append('\n');
                if (live[2] != null) {
                    yaml.append("    guestAgentSocket: ").append(live[2]).append('\n');
                }
            }
        }
        yaml.append("groups:\n");
        b.groups.forEach((g, members) -> yaml.append("  ").append(g).append(": [")
                .append(String.join(", ", members)).append("]\n"));
        Files.writeString(devicesYaml(), yaml);
    }

    /** Starts a fixture in {@code dir}. */
    public static Builder in(Path dir) {
        return new Builder(dir);
    }

    /** The registry of a fixture made in {@code dir} earlier, perhaps by another process. */
    public static DeviceRegistry load(Path dir) throws IOException {
        return DeviceRegistry.load(dir.resolve(DEVICES_YAML), dir);
    }

    public static final class Builder {
        private final Path dir;
        private final Map<String, List<String>> groups = new LinkedHashMap<>();
        private String size = "16M";
        private String written = "1M";
        private boolean clone;
        private boolean absolute;
        private int pattern = -1;
        private boolean sharedOverlays;
        private final Map<String, String[]> live = new LinkedHashMap<>();

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** A group of these devices, each made anew (a device belongs to one group). */
        public Builder group(String name, String... members) {
            groups.put(name, List.of(members));
            return this;
        }

        /** Group {@code g} of devices disk0..disk(n-1). */
        public Builder disks(int n) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                names.add("disk" + i);
            }
            return group("g", names.toArray(String[]::new));
        }

        /** Virtual size of each image, as qemu-img takes it (default 16M). */
        public Builder size(String size) {
            this.size = size;
            return this;
        }

        /** How much of each image QEMU writes, as qemu-io takes it (default 1M; "0" leaves them empty). */
        public Builder written(String length) {
            this.written = length;
            return this;
        }

        /** The byte every device holds over its written part, instead of one per device. */
        public Builder pattern(int value) {
            this.pattern = value;
            return this;
        }

        /**
         * Makes {@code device} a disk of a running VM: QMP socket {@code qmpSocket}, block node
         * {@code node}, guest agent socket {@code guestAgent} (or null). The test starts that QEMU
         * ({@link QemuVm}) on the fixture's images.
         */
        public Builder live(String device, Path qmpSocket, String node, Path guestAgent) {
            live.put(device, new String[] {qmpSocket.toAbsolutePath().toString(), node,
                    guestAgent == null ? null : guestAgent.toAbsolutePath().toString()});
            return this;
        }

        /** One overlay directory, overlays/, for every device instead of one each. */
        public Builder sharedOverlayDir() {
            this.sharedOverlays = true;
            return this;
        }

        /**
         * With {@code clone}, QEMU makes and writes only the first device and the others are byte
         * copies of it: the quick way to a large group when the devices' contents need not differ.
         */
        public Builder cloned(boolean clone) {
            this.clone = clone;
            return this;
        }

        /**
         * Absolute paths in devices.yaml, for readers that resolve relative ones against the working
         * directory (the CLI and the application) rather than against the fixture's directory.
         */
        public Builder absolutePaths() {
            this.absolute = true;
            return this;
        }

        public GroupFixture create() throws Exception {
            return new GroupFixture(this);
        }

        private String path(Path p) {
            return (absolute ? p.toAbsolutePath() : dir.relativize(p)).toString();
        }
    }

    public Path devicesYaml() {
        return dir.resolve(DEVICES_YAML);
    }

    /** The devices as the engine sees them; relative paths resolve against the fixture's directory. */
    public DeviceRegistry registry() throws IOException {
        return load(dir);
    }

    /** An engine over {@link #registry()} with the default options. */
    public SnapshotEngine engine() throws IOException {
        return SnapshotEngine.open(registry(), EngineOptions.defaults());
    }

    /** The device's base image. */
    public Path image(String device) {
        return dir.resolve("images/" + device + ".qcow2");
    }

    public Path overlayDir(String device) {
        return sharedOverlays ? dir.resolve("overlays") : dir.resolve("overlays/" + device);
    }

    public Path stateDir() {
        return dir.resolve("state");
    }

    /** The snapshot names qemu-img lists on the device's base image. */
    public List<String> snapshots(String device) throws Exception {
        return Qemu.snapshotNames(image(device));
    }

    /** SHA-256 of every file under the fixture's images and overlays: proof that nothing changed. */
    public Map<String, String> fingerprint() throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (Path root : List.of(dir.resolve("images"), dir.resolve("overlays"))) {
            try (var files = Files.walk(root)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    out.put(dir.relativize(p).toString(), Hashes.sha256(p));
                }
            }
        }
        return out;
    }

    /** Every image QEMU can reach (base images and overlays) checks clean. */
    public void assertAllClean() throws Exception {
        for (Path root : List.of(dir.resolve("images"), dir.resolve("overlays"))) {
            try (var files = Files.walk(root)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".qcow2")).toList()) {
                    Qemu.assertClean(p);
                }
            }
        }
    }
}
