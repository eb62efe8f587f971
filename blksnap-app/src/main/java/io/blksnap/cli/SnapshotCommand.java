package io.blksnap.cli;

import io.blksnap.catalog.GroupCatalog;
import io.blksnap.group.GroupOperations;
import io.blksnap.group.GroupSnapshotNames;
import io.blksnap.group.OverlayNaming;
import io.blksnap.group.SnapshotKind;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.registry.Device;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.txn.ExternalSnapshotRequest;
import io.blksnap.txn.InternalSnapshotRequest;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.SnapshotRequest;
import io.blksnap.txn.Transaction;
import io.blksnap.txn.TransactionResult;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;

/**
 * {@code blksnap snapshot}: list, create, delete or apply snapshots, as {@code qemu-img snapshot};
 * creating or deleting on several images (or a group, or externally) is one transaction.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "List, create, delete or apply snapshots. With several images, --group or --type external, "
                + "-c, -d and -a run one transaction: all images or none.")
final class SnapshotCommand extends Subcommand {

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

    @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "qcow2 image files.")
    List<String> images = new ArrayList<>();

    @Option(names = "--id", paramLabel = "ID", description = "With -d: the snapshot must also have this id.")
    String id;

    @Option(names = "--json", description = "Print JSON: the snapshot list, or the transaction result.")
    boolean json;

    @Option(names = "--group", paramLabel = "G",
            description = "With -c/-d/-a or -l: the devices of group G in devices.yaml (-l: internal and external"
                    + " snapshots, running VMs' disks read through QMP).")
    String group;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "internal",
            description = "internal (inside each image, the default) or external (-c: a new overlay each device pivots to;"
                    + " -d: the point's overlay merged into the image below it; -a: a new empty overlay on the point)."
                    + " With --group, -d and -a find the kind themselves.")
    String type;

    @Option(names = "--memory", description = "With -c --group (internal): save each running VM's memory with its"
            + " disks (an offline device gets a plain snapshot).")
    boolean memory;

    @Option(names = "--target-dir", paramLabel = "DIR",
            description = "With --type external on image files: where overlays go (default: beside each image).")
    Path targetDir;

    @Mixin
    EngineSetup setup;

    @Override
    String subject() {
        if (group != null) {
            return "group " + group;
        }
        return images.isEmpty() ? null : images.get(0);
    }

    @Override
    public Integer call() throws IOException {
        validateUsage();
        if (action.list) {
            list();
            return 0;
        }
        if (group == null && images.size() == 1 && type.equals("internal") && !json) {
            singleImage();
            return 0;
        }
        return transaction();
    }

    private void validateUsage() {
        boolean changes = action.create != null || action.delete != null || action.apply != null;
        if (id != null && action.delete == null) {
            throw usage("--id goes with -d");
        }
        if (!type.equals("internal") && !type.equals("external")) {
            throw usage("--type is internal or external");
        }
        if (type.equals("external") && id != null) {
            throw usage("--id is for internal snapshots");
        }
        if (memory && (action.create == null || group == null || !type.equals("internal"))) {
            throw usage("--memory goes with -c and --group, internal snapshots only");
        }
        if (targetDir != null && !type.equals("external")) {
            throw usage("--target-dir goes with --type external");
        }
        if (group != null && !changes && !action.list) {
            throw usage("--group goes with -c, -d, -a or -l");
        }
        if (group != null && !images.isEmpty()) {
            throw usage("give either --group or images, not both");
        }
        if (group == null && images.isEmpty()) {
            throw usage("missing IMAGE");
        }
        if (!changes && images.size() > 1) {
            throw usage("-l takes one image");
        }
        if (id != null && group != null) {
            throw usage("--id is for image files: each device of a group numbers its snapshots itself");
        }
        if (targetDir != null && group != null) {
            throw usage("--target-dir is for image files; a group's overlays go to each device's overlayDir");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private void list() throws IOException {
        if (group != null) {
            try (SnapshotEngine engine = EngineSetup.open(setup.configured())) {
                GroupCatalog catalog = new GroupCatalog(engine);
                if (json) {
                    Cli.printJson(out(), catalog.groupSnapshots(group));
                } else {
                    SnapshotTable.printGroup(out(), catalog.catalog(group, Instant.now()), catalog.groupSnapshots(group),
                            TimeZone.getDefault());
                }
            }
            return;
        }
        if (!json) {
            SingleImageSnapshot.list(out(), images.get(0));
            return;
        }
        List<Snapshot> snapshots;
        try (Qcow2Image img = Qcow2Image.open(Path.of(images.get(0)))) {
            snapshots = img.snapshots();
        }
        Cli.printJson(out(), JsonViews.SnapshotJson.of(snapshots));
    }

    /** One image, internal: the engine's own atomic change, no journal needed (qemu-img's behaviour). */
    private void singleImage() throws IOException {
        if (action.create != null) {
            SingleImageSnapshot.change(images.get(0), 'c', action.create, null);
        } else if (action.apply != null) {
            SingleImageSnapshot.change(images.get(0), 'a', action.apply, null);
        } else {
            SingleImageSnapshot.change(images.get(0), 'd', action.delete, id);
        }
    }

    private int transaction() throws IOException {
        boolean external = type.equals("external");
        if (external) {
            try {
                GroupSnapshotNames.checkFileSafe(pointName());
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        DeviceRegistry registry = group != null ? setup.configured() : setup.ofPaths(targetDir);
        try (SnapshotEngine engine = EngineSetup.open(registry)) {
            TransactionResult r = group != null ? groupTransaction(engine, external) : imagesTransaction(engine, external);
            if (json) {
                Cli.printJson(out(), JsonViews.TransactionJson.of(r));
            } else if (r.committed()) {
                out().println("committed " + r.id() + " on " + r.outcomes().size() + " device(s)");
                out().flush();
            }
            if (!r.committed()) {
                throw new IOException("transaction " + r.id() + " aborted, nothing changed: " + r.reason());
            }
        }
        return 0;
    }

    /** A group's snapshot, delete or apply: the engine's group operations, as the Camel component runs them. */
    private TransactionResult groupTransaction(SnapshotEngine engine, boolean external) throws IOException {
        GroupOperations ops = new GroupOperations(engine);
        if (action.create != null) {
            return ops.snapshot(group, action.create, external ? SnapshotKind.EXTERNAL : SnapshotKind.INTERNAL,
                    Instant.now(), memory);
        }
        return action.apply != null ? ops.apply(group, action.apply) : ops.delete(group, action.delete);
    }

    /** Image files named on the command line: one request per image, in one transaction. */
    private TransactionResult imagesTransaction(SnapshotEngine engine, boolean external) throws IOException {
        Instant now = Instant.now();
        Transaction t = engine.begin();
        for (String image : images) {
            t.add(request(engine.registry().device(DeviceRegistry.pathDeviceName(Path.of(image))), now, external));
        }
        return t.submit();
    }

    /** The name -c, -d or -a gives. */
    private String pointName() {
        return action.create != null ? action.create : action.apply != null ? action.apply : action.delete;
    }

    private SnapshotRequest request(Device device, Instant now, boolean external) {
        if (external) {
            Path overlay = OverlayNaming.overlayFor(device, pointName());
            return action.create != null ? ExternalSnapshotRequest.create(device.name(), overlay)
                    : action.apply != null ? ExternalSnapshotRequest.apply(device.name(), overlay)
                    : ExternalSnapshotRequest.delete(device.name(), overlay);
        }
        if (action.create != null) {
            return InternalSnapshotRequest.create(device.name(), action.create, now);
        }
        if (action.apply != null) {
            return InternalSnapshotRequest.apply(device.name(), action.apply);
        }
        return id == null ? InternalSnapshotRequest.delete(device.name(), action.delete)
                : InternalSnapshotRequest.deleteById(device.name(), id, action.delete);
    }
}
