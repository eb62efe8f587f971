package io.blksnap.registry;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/devices-yaml.md, the one reference of the format, says what the loader does. */
class DevicesYamlDocTest {

    static final Path DOC = Path.of("../docs/devices-yaml.md");

    @TempDir
    Path dir;

    static String doc() throws Exception {
        return Files.readString(DOC);
    }

    @Test
    void theExampleLoadsWithItsPathsAgainstTheBaseDirectory() throws Exception {
        String doc = doc();
        int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
        Files.writeString(dir.resolve("devices.yaml"), doc.substring(start, doc.indexOf("```", start)));
        DeviceRegistry r = DeviceRegistry.load(dir.resolve("devices.yaml"), dir);
        assertEquals(dir.resolve("work/state"), r.stateDir());
        assertEquals(List.of("web"), r.groupNames());
        assertEquals(List.of("web-root", "web-data"), r.group("web").stream().map(Device::name).toList());
        assertEquals(dir.resolve("images/web-data.qcow2"), r.device("web-data").image());
        assertEquals(dir.resolve("images/overlays"), r.device("web-data").overlayDir());
    }

    @Test
    void theKeyTableListsExactlyTheKeysTheLoaderKnows() throws Exception {
        List<String> expected = new ArrayList<>();
        for (RecordComponent c : DevicesFile.class.getRecordComponents()) {
            expected.add(c.getName());
        }
        for (RecordComponent c : DevicesFile.DeviceEntry.class.getRecordComponents()) {
            expected.add("devices[]." + c.getName());
        }
        List<String> documented = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\| `([A-Za-z\\[\\].]+)` \\| (yes|no) \\|").matcher(doc());
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertEquals(new TreeSet<>(expected), new TreeSet<>(documented));
    }

    @Test
    void aKeyNotInTheTableIsRefused() throws Exception {
        Files.writeString(dir.resolve("devices.yaml"), "stateDir: s\ndevices:\n  - name: d\n    image: d.qcow2\n"
                                                       + "    overlayDir: o\n    overlaydir: typo\n");
        RegistryException e = assertThrows(RegistryException.class,
                () -> DeviceRegistry.load(dir.resolve("devices.yaml"), dir));
        assertTrue(e.getMessage().contains("overlaydir"), e.getMessage());
    }

    /** The live-device refusals the doc lists, each naming the device; a complete live device loads. */
    @Test
    void liveDeviceKeysAreRefusedWhereTheDocSays() throws Exception {
        String head = "stateDir: s\ndevices:\n";
        String d = "  - name: %s\n    image: %s.qcow2\n    overlayDir: o\n";
        Map<String, String> refused = Map.of(
                "has a qmpSocket but no node", head + d.formatted("v", "v") + "    qmpSocket: q.sock\n",
                "has a node but no qmpSocket", head + d.formatted("v", "v") + "    node: d0\n",
                "has a guestAgentSocket but no qmpSocket", head + d.formatted("v", "v") + "    guestAgentSocket: g\n",
                "are the same node", head + d.formatted("v", "v") + "    qmpSocket: q.sock\n    node: d0\n"
                        + d.formatted("w", "w") + "    qmpSocket: q.sock\n    node: d0\n",
                "different guestAgentSockets", head + d.formatted("v", "v") + "    qmpSocket: q.sock\n    node: d0\n"
                        + "    guestAgentSocket: g1\n" + d.formatted("w", "w") + "    qmpSocket: q.sock\n    node: d1\n");
        for (Map.Entry<String, String> c : refused.entrySet()) {
            Files.writeString(dir.resolve("devices.yaml"), c.getValue());
            RegistryException e = assertThrows(RegistryException.class,
                    () -> DeviceRegistry.load(dir.resolve("devices.yaml"), dir));
            assertTrue(e.getMessage().contains(c.getKey()), e.getMessage());
        }
        Files.writeString(dir.resolve("devices.yaml"), head + d.formatted("v", "v")
                + "    qmpSocket: q.sock\n    node: d0\n    guestAgentSocket: g.sock\n" + d.formatted("off", "off"));
        DeviceRegistry r = DeviceRegistry.load(dir.resolve("devices.yaml"), dir);
        assertEquals(new Device("v", dir.resolve("v.qcow2"), dir.resolve("o"), dir.resolve("q.sock"), "d0",
                dir.resolve("g.sock")), r.device("v"));
        assertTrue(r.device("v").live());
        assertFalse(r.device("off").live());
    }
}
