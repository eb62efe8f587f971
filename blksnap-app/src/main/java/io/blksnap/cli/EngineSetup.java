package io.blksnap.cli;

import io.blksnap.registry.DeviceRegistry;
import io.blksnap.txn.EngineOptions;
import io.blksnap.txn.SnapshotEngine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the transaction engine finds its devices and keeps its journal: {@code --config DIR}
 * (its devices.yaml, needed for groups) or, for image files named on the command line, the
 * state directory {@code --state-dir}.
 */
final class EngineSetup {

    @Option(names = "--config", paramLabel = "DIR", defaultValue = "config",
            description = "Directory holding devices.yaml (default: ${DEFAULT-VALUE}).")
    Path configDir;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "work/state",
            description = "Journal and active layers when images are named directly (default: ${DEFAULT-VALUE}).")
    Path stateDir;

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
        return DeviceRegistry.ofPaths(stateDir, overlayDir);
    }

    static SnapshotEngine open(DeviceRegistry registry) throws IOException {
        return SnapshotEngine.open(registry, EngineOptions.defaults());
    }
}
