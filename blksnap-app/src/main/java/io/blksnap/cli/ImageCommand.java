package io.blksnap.cli;

import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** A subcommand working on one image file; its errors name the image. */
abstract class ImageCommand extends Subcommand {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The qcow2 image file.")
    String image;

    /** The image as the user named it, for messages. */
    String imageName() {
        return image;
    }

    @Override
    String subject() {
        return image;
    }

    Path imagePath() {
        return Path.of(image);
    }
}
