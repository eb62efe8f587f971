package io.blksnap.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.blksnap.fs.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The devices and groups the engine manages, and where each device's active layer is now.
 * Configuration comes from {@code devices.yaml}; the active layers, which external snapshots
 * move, are the engine's own state ({@code <stateDir>/active-layers.json}), always replaced
 * atomically.
 */
public final class DeviceRegistry {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Created on first use: most runs neither pivot nor find an active-layers file (Jackson starts slowly). */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private final Path stateDir;
    private final Map<String, Device> devices;
    private final Map<String, List<String>> groups;
    private final Path activeLayersFile;
    private Map<String, Path> active;
    private boolean pathsAreDevices;
    private Path pathOverlayDir;

    private DeviceRegistry(Path stateDir, Map<String, Device> devices, Map<String, List<String>> groups)
            throws IOException {
        this.stateDir = stateDir;
        this.devices = Collections.unmodifiableMap(devices);
        this.groups = Collections.unmodifiableMap(groups);
        this.activeLayersFile = stateDir.resolve("active-layers.json");
        this.active = readActive();
    }

    /** Loads {@code devices.yaml}; relative paths in it resolve against {@code baseDir}. */
    public static DeviceRegistry load(Path yaml, Path baseDir) throws IOException {
        DevicesFile f;
        try {
            f = new ObjectMapper(new YAMLFactory()).readValue(yaml.toFile(), DevicesFile.class);
        } catch (JsonProcessingException e) {
            throw new RegistryException(yaml + ": " + e.getOriginalMessage());
        }
        if (f == null || f.devices() == null || f.stateDir() == null) {
            throw new RegistryException(yaml + ": needs stateDir and devices");
        }
        Map<String, Device> devices = new LinkedHashMap<>();
        for (DevicesFile.DeviceEntry d : f.devices()) {
            if (d.name() == null || !NAME.matcher(d.name()).matches()) {
                throw new RegistryException(yaml + ": illegal device name \"" + d.name() + "\"");
            }
            if (d.image() == null || d.overlayDir() == null) {
                throw new RegistryException(yaml + ": device " + d.name() + " needs image and overlayDir");
            }
            if (d.qmpSocket() != null && (d.node() == null || d.node().isBlank())) {
                throw new RegistryException(yaml + ": device " + d.name()
                        + " has a qmpSocket but no node (its block node or device name in that QEMU)");
            }
            if (d.qmpSocket() == null && (d.node() != null || d.guestAgentSocket() != null)) {
                throw new RegistryException(yaml + ": device " + d.name() + " has "
                        + (d.node() != null ? "a node" : "a guestAgentSocket") + " but no qmpSocket");
            }
            Device dev = new Device(d.name(), resolve(baseDir, d.image()), resolve(baseDir, d.overlayDir()),
                    d.qmpSocket() == null ? null : resolve(baseDir, d.qmpSocket()), d.node(),
                    d.guestAgentSocket() == null ? null : resolve(baseDir, d.guestAgentSocket()));
            for (Device other : devices.values()) {
                if (dev.live() && dev.qmpSocket().equals(other.qmpSocket())) {
                    if (dev.node().equals(other.node())) {
                        throw new RegistryException(yaml + ": devices " + other.name() + " and " + d.name()
                                + " are the same node " + d.node() + " of " + d.qmpSocket());
                    }
                    if (!java.util.Objects.equals(dev.guestAgentSocket(), other.guestAgentSocket())) {
                        throw new RegistryException(yaml + ": devices " + other.name() + " and " + d.name()
                                + " share a qmpSocket (one VM) but name different guestAgentSockets");
                    }
                }
            }
            if (devices.put(d.name(), dev) != null) {
                throw new RegistryException(yaml + ": device " + d.name() + " is defined twice");
            }
        }
        Map<String, List<String>> groups = new TreeMap<>();
        if (f.groups() != null) {
            for (Map.Entry<String, List<String>> g : f.groups().entrySet()) {
                if (!NAME.matcher(g.getKey()).matches()) {
                    throw new RegistryException(yaml + ": illegal group name \"" + g.getKey() + "\"");
                }
                List<String> members = g.getValue() == null ? List.of() : List.copyOf(g.getValue());
                for (String m : members) {
                    if (!devices.containsKey(m)) {
                        throw new RegistryException(yaml + ": group " + g.getKey() + " names unknown device " + m);
                    }
                }
                if (members.stream().distinct().count() != members.size()) {
                    throw new RegistryException(yaml + ": group " + g.getKey() + " names a device twice");
                }
                groups.put(g.getKey(), members);
            }
        }
        return new DeviceRegistry(resolve(baseDir, f.stateDir()), devices, groups);
    }

    /**
     * A registry of loose images, for command lines that name image files: every absolute path
     * to an image is a device of that name, its overlays going to {@code overlayDir} (or, when
     * null, beside the image). Recovery finds the same devices again from their names.
     */
    public static DeviceRegistry ofPaths(Path stateDir, Path overlayDir) throws IOException {
        DeviceRegistry r = new DeviceRegistry(stateDir.toAbsolutePath().normalize(), new LinkedHashMap<>(), new TreeMap<>());
        r.pathOverlayDir = overlayDir == null ? null : overlayDir.toAbsolutePath().normalize();
        r.pathsAreDevices = true;
        return r;
    }

    /**
     * The same devices and groups over the journal in {@code stateDir} (null: this registry's),
     * also accepting image files as devices: recovery must resolve every device a journal names,
     * including the loose images of a command line that named files (whose overlays the journal
     * records itself).
     */
    public DeviceRegistry forRecovery(Path stateDir) throws IOException {
        DeviceRegistry r = new DeviceRegistry(stateDir == null ? this.stateDir : stateDir.toAbsolutePath().normalize(),
                devices, groups);
        r.pathOverlayDir = pathOverlayDir;
        r.pathsAreDevices = true;
        return r;
    }

    /** The device name {@link #ofPaths} registries give an image file. */
    public static String pathDeviceName(Path image) {
        return image.toAbsolutePath().normalize().toString();
    }

    private Device pathDevice(String name) {
        if (!pathsAreDevices || name == null) {
            return null;
        }
        Path p = Path.of(name);
        if (!p.isAbsolute() || !p.normalize().equals(p)) {
            return null;
        }
        return new Device(name, p, pathOverlayDir != null ? pathOverlayDir : p.getParent());
    }

    private static Path resolve(Path base, String p) {
        return base.resolve(p).toAbsolutePath().normalize();
    }

    public Path stateDir() {
        return stateDir;
    }

    public Device device(String name) throws RegistryException {
        Device d = devices.containsKey(name) ? devices.get(name) : pathDevice(name);
        if (d == null) {
            throw new RegistryException("unknown device \"" + name + "\"");
        }
        return d;
    }

    public boolean hasDevice(String name) {
        return devices.containsKey(name) || pathDevice(name) != null;
    }

    public List<Device> group(String name) throws RegistryException {
        List<String> members = groups.get(name);
        if (members == null) {
            throw new RegistryException("unknown group \"" + name + "\"");
        }
        List<Device> out = new ArrayList<>();
        for (String m : members) {
            out.add(devices.get(m));
        }
        return out;
    }

    public List<String> groupNames() {
        return List.copyOf(groups.keySet());
    }

    public List<Device> devices() {
        return List.copyOf(devices.values());
    }

    /** The image the device's guest writes to now: its newest overlay, or its configured image. */
    public synchronized Path activeImage(String device) throws RegistryException {
        Device d = device(device);
        return active.getOrDefault(device, d.image());
    }

    /** Moves devices to new active layers, all at once and durably. */
    public synchronized void pivot(Map<String, Path> moves) throws IOException {
        Map<String, Path> next = new TreeMap<>(active);
        for (Map.Entry<String, Path> m : moves.entrySet()) {
            device(m.getKey());
            next.put(m.getKey(), m.getValue().toAbsolutePath().normalize());
        }
        Map<String, String> out = new TreeMap<>();
        next.forEach((k, v) -> out.put(k, v.toString()));
        AtomicFiles.write(activeLayersFile, Json.MAPPER.writeValueAsBytes(out));
        active = next;
    }

    private Map<String, Path> readActive() throws IOException {
        if (!Files.exists(activeLayersFile)) {
            return new TreeMap<>();
        }
        Map<String, String> raw;
        try {
            raw = Json.MAPPER.readValue(activeLayersFile.toFile(), new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new RegistryException(activeLayersFile + " is unreadable: " + e.getOriginalMessage(), e);
        }
        Map<String, Path> out = new TreeMap<>();
        raw.forEach((k, v) -> out.put(k, Path.of(v)));
        return out;
    }
}
