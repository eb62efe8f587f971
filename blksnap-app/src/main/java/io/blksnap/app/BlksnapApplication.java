package io.blksnap.app;

import org.apache.camel.main.Main;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The backup application: camel-main with the configuration in {@code config/} and the YAML
 * routes in {@code routes/}, both outside the jar so operators edit them in place.
 */
public final class BlksnapApplication {

    private BlksnapApplication() {
    }

    /** Runs until stopped (or for {@code duration}, when not null); returns the exit code. */
    public static int run(Path configDir, Path routesDir, Duration duration) throws Exception {
        Path properties = configDir.resolve("application.properties");
        if (!Files.isRegularFile(properties)) {
            throw new java.io.IOException(properties + " does not exist");
        }
        if (!Files.isDirectory(routesDir)) {
            throw new java.io.IOException(routesDir + " is not a directory");
        }
        Main main = new Main(BlksnapApplication.class);
        main.setPropertyPlaceholderLocations("file:" + properties.toAbsolutePath());
        main.addInitialProperty("camel.main.routes-include-pattern",
                "file:" + routesDir.toAbsolutePath() + "/*.camel.yaml");
        main.addInitialProperty("blksnap.devices-file", configDir.resolve("devices.yaml").toAbsolutePath().toString());
        if (duration != null) {
            main.addInitialProperty("camel.main.duration-max-seconds", Long.toString(Math.max(1, duration.toSeconds())));
        }
        // AppConfiguration is found by the package scan Main(BlksnapApplication.class) does; adding
        // it again would configure (and start a broker) twice.
        main.run();
        return main.getExitCode();
    }
}
