package io.blksnap.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * A subcommand working on one image file. {@link #call()} returns the exit code; an exception
 * it throws becomes the single line {@code blksnap: IMAGE: reason} and exit code 1
 * (see {@link Cli#handleFailure}).
 */
abstract class ImageCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The qcow2 image file.")
    String image;

    /** The image as the user named it, for messages. */
    String imageName() {
        return image;
    }

    Path imagePath() {
        return Path.of(image);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
