package io.blksnap.cli;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotRef;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.time.ZoneId;
import java.util.List;

/** {@code blksnap snapshot}: list, create, delete or apply internal snapshots, as {@code qemu-img snapshot}. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "List, create, delete or apply internal snapshots of a qcow2 image.")
final class SnapshotCommand extends ImageCommand {

    /** Exactly one action. */
    static final class Action {
        @Option(names = "-l", description = "List the snapshots.")
        boolean list;

        @Option(names = "-c", paramLabel = "NAME", description = "Create a snapshot.")
        String create;

        @Option(names = "-d", paramLabel = "NAME", description = "Delete the snapshot with this name.")
        String delete;

        @Option(names = "-a", paramLabel = "NAME", description = "Revert the image to a snapshot "
                + "(NAME is tried as an id first, then as a name, as qemu-img does).")
        String apply;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Action action;

    @Option(names = "--id", paramLabel = "ID", description = "With -d: the snapshot must also have this id.")
    String id;

    @Option(names = "--json", description = "With -l: print a JSON array.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (id != null && action.delete == null) {
            throw new ParameterException(spec.commandLine(), "--id goes with -d");
        }
        if (json && !action.list) {
            throw new ParameterException(spec.commandLine(), "--json goes with -l");
        }
        if (action.list) {
            list();
            return 0;
        }
        try (Qcow2Image img = Qcow2Image.openForWrite(imagePath())) {
            if (action.create != null) {
                img.createSnapshot(NewSnapshot.now(action.create));
            } else if (action.delete != null) {
                img.deleteSnapshot(id == null ? SnapshotRef.byName(action.delete)
                        : SnapshotRef.byIdAndName(id, action.delete));
            } else {
                img.applySnapshot(SnapshotRef.byIdOrName(action.apply));
            }
        }
        return 0;
    }

    private void list() throws IOException {
        List<Snapshot> snapshots;
        try (Qcow2Image img = Qcow2Image.open(imagePath())) {
            snapshots = img.snapshots();
        }
        if (json) {
            Cli.printJson(out(), JsonViews.SnapshotJson.of(snapshots));
        } else {
            SnapshotTable.print(out(), snapshots, ZoneId.systemDefault());
        }
    }
}
