package io.blksnap.txn;

import io.blksnap.registry.DeviceRegistry;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A group of real qcow2 images made and written by QEMU, with a devices.yaml describing them
 * as devices disk0..diskN-1 of group "g", each with an overlay directory of its own.
 */
final class GroupFixture {

    final Path dir;
    final List<String> devices = new ArrayList<>();

    GroupFixture(Path dir, int n) throws Exception {
        this(dir, n, "16M", false);
    }

    /**
     * With {@code clone}, QEMU makes and writes only disk0 and the others are byte copies of it:
     * the quick way to a large group when the devices' contents need not differ.
     */
    GroupFixture(Path dir, int n, String size, boolean clone) throws Exception {
        this.dir = dir;
        StringBuilder yaml = new StringBuilder("stateDir: state\ndevices:\n");
        for (int i = 0; i < n; i++) {
            String name = "disk" + i;
            Path img = dir.resolve("images/" + name + ".qcow2");
            Files.createDirectories(img.getParent());
            Files.createDirectories(dir.resolve("overlays/" + name));
            if (clone && i > 0) {
                Files.copy(image("disk0"), img);
            } else {
                Qemu.img("create", "-q", "-f", "qcow2", img.toString(), size).ok();
                Qemu.io(img, "write -P " + (0x10 + i) + " 0 1M");
            }
            yaml.append("  - name: ").append(name).append("\n    image: images/").append(name)
                    .append(".qcow2\n    overlayDir: overlays/").append(name).append("\n");
            devices.add(name);
        }
        yaml.append("groups:\n  g: [").append(String.join(", ", devices)).append("]\n");
        Files.writeString(dir.resolve("devices.yaml"), yaml);
    }

    DeviceRegistry registry() throws Exception {
        return DeviceRegistry.load(dir.resolve("devices.yaml"), dir);
    }

    SnapshotEngine engine() throws Exception {
        return SnapshotEngine.open(registry(), EngineOptions.defaults());
    }

    Path image(String device) {
        return dir.resolve("images/" + device + ".qcow2");
    }

    Path overlayDir(String device) {
        return dir.resolve("overlays/" + device);
    }

    /** SHA-256 of every file under the fixture's images and overlays: proof that nothing changed. */
    Map<String, String> fingerprint() throws Exception {
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
    void assertAllClean() throws Exception {
        for (Path root : List.of(dir.resolve("images"), dir.resolve("overlays"))) {
            try (var files = Files.walk(root)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".qcow2")).toList()) {
                    Qemu.assertClean(p);
                }
            }
        }
    }
}
