package io.blksnap.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code blksnap}: qemu-img style commands for qcow2 images and their internal snapshots. */
@Command(name = "blksnap",
        mixinStandardHelpOptions = true,
        versionProvider = BlksnapCommand.Version.class,
        description = "Transactional internal snapshots of qcow2 images.",
        subcommands = {CreateCommand.class, SnapshotCommand.class, InfoCommand.class, CheckCommand.class,
            RecoverCommand.class, RunCommand.class})
public final class BlksnapCommand implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests redirect its output with setOut/setErr. */
    public static CommandLine commandLine() {
        return new CommandLine(new BlksnapCommand())
                .setExecutionExceptionHandler(Cli::handleFailure)
                .setParameterExceptionHandler(Cli::handleUsageError);
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command (create, snapshot, info, check, recover or run)");
    }

    /** The version Maven wrote into blksnap-version.properties. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = BlksnapCommand.class.getResourceAsStream("/blksnap-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"blksnap " + p.getProperty("version", "(unknown version)")};
        }
    }
}
