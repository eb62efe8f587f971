package io.blksnap.app;

import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Qemu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A throw-away application setup for one test class: a temporary directory holding a {@link GroupFixture}
 * with a group {@code t} of three devices, the engine's state, the export
 * directory and the broker's data. The paths reach camel-main as system properties (the properties
 * component lets them override application.properties), set before the extension builds the
 * context and cleared afterwards; the static settings are on each test's {@code @CamelMainTest}.
 */
final class AppTestSupport {

    static final String GROUP = "t";
    static final List<String> DEVICES = List.of("t-vm1", "t-vm2", "t-vm3");
    private static final List<String> KEYS = new ArrayList<>();

    final Path dir;
    final Path state;
    final Path export;
    final Map<String, Path> images = new LinkedHashMap<>();

    private AppTestSupport(Path dir, Path state) {
        this.dir = dir;
        this.state = state;
        this.export = dir.resolve("export");
    }

    /** Creates the images and devices.yaml, and points the application at them. */
    static AppTestSupport create(String exportDir) throws Exception {
        Qemu.require("qemu-img");
        GroupFixture f = GroupFixture.in(Files.createTempDirectory("blksnap-app-test"))
                .group(GROUP, DEVICES.toArray(String[]::new)).written("64k").pattern(0x5a).sharedOverlayDir()
                .absolutePaths().create();
        AppTestSupport s = new AppTestSupport(f.dir, f.stateDir());
        for (String d : DEVICES) {
            s.images.put(d, f.image(d));
        }
        set("blksnap.devices-file", f.devicesYaml().toString());
        set("blksnap.export.dir", exportDir != null ? exportDir : s.export.toString());
        set("blksnap.broker.data-dir", s.dir.resolve("broker").toString());
        return s;
    }

    static void set(String key, String value) {
        System.setProperty(key, value);
        KEYS.add(key);
    }

    static void clear() {
        KEYS.forEach(System::clearProperty);
        KEYS.clear();
    }

    List<String> snapshots(String device) throws Exception {
        return Qemu.snapshotNames(images.get(device));
    }

    void assertAllClean() throws Exception {
        for (Path image : images.values()) {
            Qemu.assertClean(image);
        }
    }

    Map<String, String> hashes() throws Exception {
        Map<String, String> h = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : images.entrySet()) {
            h.put(e.getKey(), sha256(e.getValue()));
        }
        return h;
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static void await(long timeoutMillis, String what, BooleanSupplier done) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static List<Path> list(Path dir, String glob) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (var s = Files.newDirectoryStream(dir, glob)) {
            s.forEach(out::add);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }
}
