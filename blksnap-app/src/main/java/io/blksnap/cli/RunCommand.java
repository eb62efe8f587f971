package io.blksnap.cli;

import io.blksnap.app.BlksnapApplication;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code blksnap run}: the backup application (camel-main with the YAML routes). Only this
 * command loads Camel; the image commands never do. The launcher starts it from blksnap.jar; the
 * command-line jar blksnap-cli.jar holds no Camel and says so.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the backup application: scheduled group snapshots, catalog export, retention, queue requests.")
final class RunCommand extends Subcommand {

    @Option(names = "--config", paramLabel = "DIR", defaultValue = "config",
            description = "application.properties and devices.yaml (default: ${DEFAULT-VALUE}).")
    Path configDir;

    @Option(names = "--routes", paramLabel = "DIR", defaultValue = "routes",
            description = "The YAML routes, *.camel.yaml (default: ${DEFAULT-VALUE}).")
    Path routesDir;

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "Stop after this many seconds (default: run until interrupted).")
    Long durationSeconds;

    @Override
    String subject() {
        return "run";
    }

    @Override
    public Integer call() throws Exception {
        if (RunCommand.class.getResource("/io/blksnap/app/BlksnapApplication.class") == null) {
            throw new Exception("this jar holds only the image commands;"
                    + " start the backup application with ./blksnap run (blksnap.jar)");
        }
        return BlksnapApplication.run(configDir, routesDir, durationSeconds == null ? null : Duration.ofSeconds(durationSeconds));
    }
}
