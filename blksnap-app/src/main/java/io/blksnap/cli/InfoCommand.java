package io.blksnap.cli;

import io.blksnap.qcow2.ImageInfo;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.Snapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.TimeZone;

/** {@code blksnap info}: what {@code qemu-img info} shows about a qcow2 image. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show facts about a qcow2 image.")
final class InfoCommand extends ImageCommand {

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        ImageInfo info;
        List<Snapshot> snapshots;
        try (Qcow2Image img = Qcow2Image.open(imagePath())) {
            info = img.info();
            snapshots = img.snapshots();
        }
        if (json) {
            Cli.printJson(out(), JsonViews.InfoJson.of(info, snapshots));
        } else {
            print(out(), info, snapshots);
        }
        return 0;
    }

    private static void print(PrintWriter out, ImageInfo i, List<Snapshot> snapshots) {
        out.println("image: " + i.filename());
        out.println("file format: qcow2");
        out.println("virtual size: " + Sizes.human(i.virtualSize()) + " (" + i.virtualSize() + " bytes)");
        out.println("file length: " + Sizes.human(i.fileLength()) + " (" + i.fileLength() + " bytes)");
        out.println("allocated: " + Sizes.human(i.allocatedBytes()) + " (" + i.allocatedBytes() + " bytes)");
        if (i.encrypted()) {
            out.println("encrypted: yes");
        }
        out.println("cluster_size: " + i.clusterSize());
        if (i.backingFile() != null) {
            out.println("backing file: " + i.backingFile());
            if (i.backingFormat() != null) {
                out.println("backing file format: " + i.backingFormat());
            }
            for (ImageInfo.BackingLayer b : i.backingChain()) {
                out.println("backing chain: " + b.filename() + " (" + b.format() + ")");
            }
        }
        if (!snapshots.isEmpty()) {
            SnapshotTable.print(out, snapshots, TimeZone.getDefault());
        }
        out.println("Format specific information:");
        out.println("    compat: " + i.compat());
        out.println("    compression type: " + i.compressionType());
        out.println("    lazy refcounts: " + i.lazyRefcounts());
        out.println("    refcount bits: " + i.refcountBits());
        out.println("    corrupt: " + i.corrupt());
        out.println("    extended l2: " + i.extendedL2());
        if (i.dirty()) {
            out.println("    dirty: true");
        }
        if (i.externalDataFile()) {
            out.println("    external data file: true");
        }
        out.flush();
    }
}
