package io.blksnap.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

/**
 * {@code blksnap}: qemu-img style commands for qcow2 images and their internal snapshots.
 *
 * <p>Start-up matters here (scripts run it once per image, like qemu-img): picocli builds a
 * command's model by reflection, so {@link #commandLine(String...)} builds only the subcommand
 * named first on the command line, and all of them only for help, version or a usage error;
 * {@link #main} runs the plain one-image snapshot forms without picocli
 * ({@link SingleImageSnapshot}).
 */
@Command(name = "blksnap",
        mixinStandardHelpOptions = true,
        versionProvider = BlksnapCommand.Version.class,
        description = "Transactional internal snapshots of qcow2 images.")
public final class BlksnapCommand implements Runnable {

    /** The subcommands, in the order help lists them. */
    static final String[] SUBCOMMANDS = {"create", "snapshot", "info", "check", "recover", "run"};

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        // the plain one-image snapshot forms skip picocli's model (see SingleImageSnapshot)
        PrintWriter out = new PrintWriter(System.out);
        PrintWriter err = new PrintWriter(System.err);
        Integer plain = SingleImageSnapshot.runPlain(args, out, err);
        if (plain != null) {
            out.flush();
            err.flush();
            System.exit(plain);
        }
        System.exit(commandLine(args).execute(args));
    }

    /** The command line with every subcommand (help lists them all). */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The configured command line for {@code args}: with only the subcommand {@code args[0]} names
     * when it names one, else with all. Tests redirect its output with setOut/setErr.
     */
    public static CommandLine commandLine(String... args) {
        CommandLine cmd = new CommandLine(new BlksnapCommand());
        Object only = args.length > 0 ? subcommand(args[0]) : null;
        if (only != null) {
            cmd.addSubcommand(args[0], only);
        } else {
            for (String name : SUBCOMMANDS) {
                cmd.addSubcommand(name, subcommand(name));
            }
        }
        // set after the subcommands are added: picocli hands the handlers down to them
        Cli.Handlers handlers = new Cli.Handlers();
        return cmd.setExecutionExceptionHandler(handlers).setParameterExceptionHandler(handlers);
    }

    /** A new instance of the subcommand {@code name}, or null if there is none of that name. */
    private static Object subcommand(String name) {
        switch (name) {
            case "create":
                return new CreateCommand();
            case "snapshot":
                return new SnapshotCommand();
            case "info":
                return new InfoCommand();
            case "check":
                return new CheckCommand();
            case "recover":
                return new RecoverCommand();
            case "run":
                return new RunCommand();
            default:
                return null;
        }
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
