package io.blksnap.cli;

import io.blksnap.registry.DeviceRegistry;
import io.blksnap.txn.EngineOptions;
import io.blksnap.txn.SnapshotEngine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the transaction engine finds its devices and keeps its journal: {@code --config DIR}
 * (its devices.yaml, needed for groups) or, for image files named on the command line, the
 * state directory {@code --state-dir}.
 */
final class EngineSetup {

    @Option(names = "--config", paramLabel = "DIR", defaultValue = "config",
            description = "Directory holding devices.yaml (default: ${DEFAULT-VALUE}).")
    Path configDir;

    static final Path DEFAULT_STATE_DIR = Path.of("work/state");

    /** Null when not given, so that {@code recover --state-dir} can tell an explicit choice. */
    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Journal and active layers when images are named directly (default: work/state).")
    Path stateDir;

    Path stateDir() {
        return stateDir == null ? DEFAULT_STATE_DIR : stateDir;
    }

    Path devicesFile() {
        return configDir.resolve("devices.yaml");
    }

    /** The configured devices; required for --group. */
    DeviceRegistry configured() throws IOException {
        if (!Files.isRegularFile(devicesFile())) {
            throw new IOException(devicesFile() + " does not exist");
        }
        return DeviceRegistry.load(devicesFile(), Path.of("").toAbsolutePath());
    }

    /** Image files as devices, with overlays in {@code overlayDir} (null: beside each image). */
    DeviceRegistry ofPaths(Path overlayDir) throws IOException {
        return DeviceRegistry.ofPaths(stateDir(), overlayDir);
    }

    /**
     * The journals {@code recover} resolves: that of {@code --state-dir} when given; otherwise that
     * of devices.yaml (when there is one) and the default state dir of commands that name image
     * files. Each sees the configured devices and any image file its journal names, so transactions
     * of images named on a command line are recovered too.
     */
    List<DeviceRegistry> forRecovery() throws IOException {
        if (!Files.isRegularFile(devicesFile())) {
            return List.of(ofPaths(null));
        }
        DeviceRegistry configured = configured();
        if (stateDir != null) {
            return List.of(configured.forRecovery(stateDir));
        }
        Path loose = DEFAULT_STATE_DIR.toAbsolutePath().normalize();
        if (configured.stateDir().equals(loose) || !Files.isDirectory(loose)) {
            return List.of(configured.forRecovery(null));
        }
        return List.of(configured.forRecovery(null), configured.forRecovery(loose));
    }

    static SnapshotEngine open(DeviceRegistry registry) throws IOException {
        return SnapshotEngine.open(registry, EngineOptions.defaults());
    }
}
