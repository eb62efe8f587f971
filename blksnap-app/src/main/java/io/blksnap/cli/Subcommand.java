package io.blksnap.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A blksnap subcommand. {@link #call()} returns the exit code; an exception it throws becomes
 * the single line {@code blksnap: SUBJECT: reason} and exit code 1 (see {@link Cli#handleFailure}).
 */
abstract class Subcommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** What an error line names: the image, the group, or null for none. */
    abstract String subject();

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
