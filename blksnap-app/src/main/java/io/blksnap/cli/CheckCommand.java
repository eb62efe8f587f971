package io.blksnap.cli;

import io.blksnap.qcow2.CheckResult;
import io.blksnap.qcow2.Qcow2Image;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code blksnap check}: a consistency check with {@code qemu-img check}'s exit codes: 0 clean,
 * 2 corruptions, 3 leaks only, 1 when the check could not run.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check a qcow2 image for leaked clusters and corruption. "
                + "Exit code 0: clean, 2: corrupt, 3: leaks only, 1: the check could not run.")
final class CheckCommand extends ImageCommand {

    enum Repair { leaks }

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = {"--repair", "-r"}, paramLabel = "leaks",
            description = "Lower leaked refcounts (corruptions are left alone), then check again.")
    Repair repair;

    @Override
    public Integer call() throws IOException {
        CheckResult result;
        long repaired = 0;
        if (repair == null) {
            try (Qcow2Image img = Qcow2Image.open(imagePath())) {
                result = img.check();
            }
        } else {
            try (Qcow2Image img = Qcow2Image.openForWrite(imagePath())) {
                CheckResult first = img.repairLeaks();
                repaired = first.repairedLeaks();
                if (!json && repaired > 0) {
                    out().println("The following inconsistencies were found and repaired:\n\n    "
                            + repaired + " leaked clusters\n    0 corruptions\n\nDouble checking the fixed image now...");
                }
                result = img.check();
            }
        }
        if (json) {
            Cli.printJson(out(), JsonViews.CheckJson.of(imageName(), result, repaired));
        } else {
            print(out(), result);
        }
        return result.exitCode();
    }

    private static void print(PrintWriter out, CheckResult r) {
        for (String m : r.messages()) {
            out.println(m);
        }
        if (r.corruptions() == 0 && r.leakedClusters() == 0) {
            out.println("No errors were found on the image.");
        }
        if (r.corruptions() > 0) {
            out.println();
            out.println(r.corruptions() + " errors were found on the image.");
            out.println("Data may be corrupted, or further writes to the image may corrupt it.");
        }
        if (r.leakedClusters() > 0) {
            out.println();
            out.println(r.leakedClusters() + " leaked clusters were found on the image.");
            out.println("This means waste of disk space, but no harm to data.");
        }
        if (r.totalClusters() > 0 && r.allocatedClusters() > 0) {
            out.println(String.format(Locale.ROOT, "%d/%d = %.2f%% allocated clusters", r.allocatedClusters(),
                    r.totalClusters(), 100.0 * r.allocatedClusters() / r.totalClusters()));
        }
        if (r.imageEndOffset() > 0) {
            out.println("Image end offset: " + r.imageEndOffset());
        }
        out.flush();
    }
}
