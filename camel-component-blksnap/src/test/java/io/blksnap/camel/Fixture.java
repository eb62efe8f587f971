package io.blksnap.camel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;

/**
 * Real qcow2 images made and written by QEMU, and a devices.yaml naming them: group {@code g} of devices
 * disk0..disk(n-1), and group {@code other} of one more device, {@code spare}, each device with its own overlay
 * directory.
 */
final class Fixture {

    final Path dir;
    final List<String> devices = new ArrayList<>();

    Fixture(Path dir, int n) throws Exception {
        this.dir = dir;
        StringBuilder yaml = new StringBuilder("stateDir: state\ndevices:\n");
        List<String> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add("disk" + i);
        }
        all.add("spare");
        for (int i = 0; i < all.size(); i++) {
            String name = all.get(i);
            Path img = image(name);
            Files.createDirectories(img.getParent());
            Files.createDirectories(overlayDir(name));
            Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "8M").ok();
            Qemu.io(img, "write -P " + (0x10 + i) + " 0 256k");
            yaml.append("  - name: ").append(name).append("\n    image: images/").append(name)
                    .append(".qcow2\n    overlayDir: overlays/").append(name).append("\n");
        }
        devices.addAll(all.subList(0, n));
        yaml.append("groups:\n  g: [").append(String.join(", ", devices)).append("]\n  other: [spare]\n");
        Files.writeString(devicesYaml(), yaml);
    }

    Path devicesYaml() {
        return dir.resolve("devices.yaml");
    }

    Path image(String device) {
        return dir.resolve("images/" + device + ".qcow2");
    }

    Path overlayDir(String device) {
        return dir.resolve("overlays/" + device);
    }

    /** The snapshot names qemu-img lists on the device's base image. */
    List<String> snapshots(String device) throws Exception {
        return Qemu.snapshotNames(image(device));
    }

    /** SHA-256 of every image and overlay file: proof that nothing changed. */
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

    /** Every qcow2 file of the fixture passes qemu-img check. */
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
