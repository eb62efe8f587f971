package io.blksnap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.Hashes;
import io.blksnap.testing.Qemu;
import io.blksnap.txn.EngineOptions;
import io.blksnap.txn.FaultInjector;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.Transaction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code snapshot -c/-d} over several images or a group, external snapshots, and {@code recover}. */
class TransactionCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<String> images = new ArrayList<>();
    private GroupFixture fixture;
    private String state;

    @BeforeEach
    void images() throws Exception {
        fixture = GroupFixture.in(dir).group("web", "vm0", "vm1", "vm2").absolutePaths().create();
        for (String d : fixture.devices) {
            images.add(fixture.image(d).toString());
        }
        state = fixture.stateDir().toString();
    }

    private String[] args(String... head) {
        List<String> a = new ArrayList<>(List.of(head));
        a.add("--state-dir");
        a.add(state);
        a.addAll(images);
        return a.toArray(String[]::new);
    }

    @Test
    void severalImagesAreOneTransactionToCreateRevertAndDelete() throws Exception {
        Blksnap.Run r = Blksnap.run(args("snapshot", "-c", "group1")).ok();
        assertTrue(r.out().startsWith("committed tx-"), r.out());
        for (String img : images) {
            assertEquals(List.of("group1"), Qemu.snapshotNames(Path.of(img)));
            Qemu.assertClean(Path.of(img));
        }
        List<Path> raws = new ArrayList<>();
        for (String img : images) {
            raws.add(Qemu.toRaw(Path.of(img), null, dir));
            Qemu.io(Path.of(img), "write -P 0x99 0 1M");
        }
        Blksnap.run(args("snapshot", "-a", "group1")).ok();
        for (int i = 0; i < images.size(); i++) {
            assertEquals(-1L, Files.mismatch(raws.get(i), Qemu.toRaw(Path.of(images.get(i)), null, dir)));
        }
        JsonNode res = JSON.readTree(Blksnap.run(args("snapshot", "-d", "group1", "--json")).ok().out());
        assertEquals("COMMITTED", res.get("status").asText());
        assertEquals(3, res.get("outcomes").size());
        assertEquals("COMMITTED", res.get("outcomes").get(0).get("step").asText());
        for (String img : images) {
            assertEquals(List.of(), Qemu.snapshotNames(Path.of(img)));
        }
    }

    @Test
    void oneBadImageChangesNothing() throws Exception {
        Qemu.img("snapshot", "-c", "taken", images.get(2)).ok();
        List<String> before = new ArrayList<>();
        for (String img : images) {
            before.add(Hashes.sha256(Path.of(img)));
        }
        Blksnap.Run r = Blksnap.run(args("snapshot", "-c", "taken"));
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("already exists") && r.err().lines().count() == 1, r.err());
        for (int i = 0; i < images.size(); i++) {
            assertEquals(before.get(i), Hashes.sha256(Path.of(images.get(i))));
        }
    }

    @Test
    void groupFromDevicesYamlAndExternalSnapshots() throws Exception {
        Path config = fixture.devicesYaml().getParent();
        Blksnap.run("snapshot", "-c", "internal1", "--group", "web", "--config", config.toString()).ok();
        for (String img : images) {
            assertEquals(List.of("internal1"), Qemu.snapshotNames(Path.of(img)));
        }
        JsonNode res = JSON.readTree(Blksnap.run("snapshot", "-c", "ext1", "--type", "external", "--group", "web",
                "--config", config.toString(), "--json").ok().out());
        assertEquals("COMMITTED", res.get("status").asText());
        DeviceRegistry reg = fixture.registry();
        for (int i = 0; i < images.size(); i++) {
            Path overlay = fixture.overlayDir("vm" + i).resolve("vm" + i + "-ext1.qcow2");
            assertEquals(overlay, reg.activeImage("vm" + i));
            Qemu.assertClean(overlay);
            assertTrue(Qemu.img("info", "--backing-chain", overlay.toString()).ok().out().contains(images.get(i)));
        }
        Blksnap.Run unknown = Blksnap.run("snapshot", "-c", "x", "--group", "nope", "--config", config.toString());
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().startsWith("blksnap: group nope: unknown group"), unknown.err());
    }

    /** A group's list: internal snapshots and external points together, with each device's access. */
    @Test
    void groupListShowsKindsAndDevices() throws Exception {
        String config = fixture.devicesYaml().getParent().toString();
        Blksnap.run("snapshot", "-c", "e1", "--type", "external", "--group", "web", "--config", config).ok();
        Blksnap.run("snapshot", "-c", "i1", "--group", "web", "--config", config).ok();
        String out = Blksnap.run("snapshot", "-l", "--group", "web", "--config", config).ok().out();
        assertTrue(out.matches("(?s).*\\ne1 +external +[-0-9: ]+ yes +vm0,vm1,vm2\\n.*"), out);
        assertTrue(out.matches("(?s).*\\ni1 +internal +[-0-9: ]+ yes +vm0,vm1,vm2\\n.*"), out);
        assertTrue(out.matches("(?s).*\\nvm0 +offline +" + java.util.regex.Pattern.quote(
                fixture.overlayDir("vm0").resolve("vm0-e1.qcow2").toString()) + "\\n.*"), out);
        JsonNode list = JSON.readTree(Blksnap.run("snapshot", "-l", "--group", "web", "--config", config, "--json")
                .ok().out());
        List<String> rows = new ArrayList<>();
        list.forEach(g -> rows.add(g.get("name").asText() + " " + g.get("kind").asText() + " " + g.get("complete")));
        assertEquals(Set.of("e1 external true", "i1 internal true"), Set.copyOf(rows));
    }

    /** Deleting and reverting to external points of a group: the engine finds the kind itself. */
    @Test
    void groupExternalPointsAreDeletedAndRevertedTo() throws Exception {
        String config = fixture.devicesYaml().getParent().toString();
        for (String name : List.of("p1", "p2", "p3")) {
            Blksnap.run("snapshot", "-c", name, "--type", "external", "--group", "web", "--config", config).ok();
        }
        Blksnap.run("snapshot", "-d", "p2", "--group", "web", "--config", config).ok();
        Blksnap.run("snapshot", "-a", "p1", "--group", "web", "--config", config).ok();
        DeviceRegistry reg = fixture.registry();
        for (int i = 0; i < images.size(); i++) {
            Path p1 = fixture.overlayDir("vm" + i).resolve("vm" + i + "-p1.qcow2");
            assertEquals(p1, reg.activeImage("vm" + i));
            assertFalse(Files.exists(p1.resolveSibling("vm" + i + "-p2.qcow2")));
            assertFalse(Files.exists(p1.resolveSibling("vm" + i + "-p3.qcow2")));
            Qemu.assertClean(p1);
            Qemu.assertClean(Path.of(images.get(i)));
        }
    }

    /** Image files: -d and -a with --type external name the point by its overlay in the target directory. */
    @Test
    void externalPointsOfImageFilesAreDeletedAndRevertedTo() throws Exception {
        Path target = Files.createDirectories(dir.resolve("overlays"));
        for (String name : List.of("e1", "e2", "e3")) {
            Blksnap.run(args("snapshot", "-c", name, "--type", "external", "--target-dir", target.toString())).ok();
        }
        Blksnap.run(args("snapshot", "-d", "e1", "--type", "external", "--target-dir", target.toString())).ok();
        Blksnap.run(args("snapshot", "-a", "e2", "--type", "external", "--target-dir", target.toString())).ok();
        for (int i = 0; i < images.size(); i++) {
            Path e2 = target.resolve("vm" + i + "-e2.qcow2");
            assertFalse(Files.exists(target.resolve("vm" + i + "-e1.qcow2")));
            assertFalse(Files.exists(target.resolve("vm" + i + "-e3.qcow2")));
            assertTrue(Qemu.img("info", "--backing-chain", e2.toString()).ok().out().contains(images.get(i)));
            Qemu.assertClean(e2);
            Qemu.assertClean(Path.of(images.get(i)));
        }
    }

    @Test
    void externalSnapshotsOfImageFilesGoToTheTargetDirectory() throws Exception {
        Path target = dir.resolve("overlays");
        Files.createDirectories(target);
        Blksnap.run(args("snapshot", "-c", "e1", "--type", "external", "--target-dir", target.toString())).ok();
        for (int i = 0; i < images.size(); i++) {
            Path overlay = target.resolve("vm" + i + "-e1.qcow2");
            Qemu.assertClean(overlay);
        }
    }

    @Test
    void recoverFinishesWhatACrashedProcessLeft() throws Exception {
        Blksnap.Run nothing = Blksnap.run("recover", "--state-dir", state, "--config", dir.resolve("none").toString()).ok();
        assertEquals("nothing to recover", nothing.out().strip());

        // A process that passes its commit point and dies before finishing: recovery rolls it forward.
        Qemu.img("snapshot", "-c", "old", images.get(0)).ok();
        DeviceRegistry reg = DeviceRegistry.ofPaths(Path.of(state), null);
        FaultInjector dieAtCommit = new FaultInjector() {
            @Override
            public void at(String point) throws IOException {
                if (point.equals("commit")) {
                    throw new IOException("simulated death after the commit record");
                }
            }
        };
        try (SnapshotEngine engine = SnapshotEngine.open(reg, EngineOptions.defaults().withFaults(dieAtCommit))) {
            Transaction t = engine.begin()
                    .add(InternalSnapshotRequest.delete(DeviceRegistry.pathDeviceName(Path.of(images.get(0))), "old"))
                    .add(InternalSnapshotRequest.create(DeviceRegistry.pathDeviceName(Path.of(images.get(1))), "new",
                            Instant.now()));
            assertThrows(IOException.class, t::submit);
        }
        assertEquals(List.of("old"), Qemu.snapshotNames(Path.of(images.get(0))), "not yet deleted");
        JsonNode report = JSON.readTree(Blksnap.run("recover", "--state-dir", state, "--json",
                "--config", dir.resolve("none").toString()).ok().out());
        assertEquals("ROLLED_FORWARD", report.get("resolved").get(0).get("status").asText());
        assertEquals(List.of(), Qemu.snapshotNames(Path.of(images.get(0))));
        assertEquals(List.of("new"), Qemu.snapshotNames(Path.of(images.get(1))));
        for (String img : images) {
            Qemu.assertClean(Path.of(img));
        }
        assertEquals("nothing to recover", Blksnap.run("recover", "--state-dir", state, "--config",
                dir.resolve("none").toString()).ok().out().strip());
    }
}
