package io.blksnap.cli;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.TimeZone;

/**
 * {@code snapshot -l|-c|-d|-a} on one image file, internal: what {@link SnapshotCommand} runs for one
 * image, and what {@code main} runs straight away for the plain forms scripts use, as they use
 * {@code qemu-img snapshot}: {@code snapshot -l IMAGE} and {@code snapshot -c|-d|-a NAME IMAGE}, with
 * no other option. Building picocli's model (reflection over every annotated field, one annotation
 * proxy class per annotation type, its converters) costs such a command more than its own work;
 * every other form, and any argument picocli might read otherwise (an option-like or {@code @file}
 * argument), goes through picocli.
 */
final class SingleImageSnapshot {

    private SingleImageSnapshot() {
    }

    /**
     * Runs {@code args} if they are one of the plain forms, printing as picocli's path would;
     * returns the exit code, or null if picocli must parse them.
     */
    static Integer runPlain(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length < 3 || !args[0].equals("snapshot")) {
            return null;
        }
        String image = args[args.length - 1];
        String action = args[1];
        boolean list = args.length == 3 && action.equals("-l");
        boolean change = args.length == 4 && (action.equals("-c") || action.equals("-d") || action.equals("-a"))
                && plain(args[2]);
        if (!(list || change) || !plain(image)) {
            return null;
        }
        try {
            if (list) {
                list(out, image);
            } else {
                change(image, action.charAt(1), args[2], null);
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            out.flush();
            return Cli.failure(err, image, e);
        }
    }

    /** Not empty and nothing picocli would read as an option, an end of options or an argument file. */
    private static boolean plain(String arg) {
        return !arg.isEmpty() && arg.charAt(0) != '-' && arg.charAt(0) != '@';
    }

    /** The snapshot table of {@code image}, as {@code qemu-img snapshot -l}. */
    static void list(PrintWriter out, String image) throws IOException {
        try (Qcow2Image img = Qcow2Image.open(Path.of(image))) {
            SnapshotTable.print(out, img.snapshots(), TimeZone.getDefault());
        }
    }

    /**
     * Creates ({@code 'c'}), deletes ({@code 'd'}, also matching {@code id} when not null) or applies
     * ({@code 'a'}, NAME tried as an id first) the snapshot {@code name} of {@code image}: the engine's
     * own atomic change of one image, no journal needed (qemu-img's behaviour).
     */
    static void change(String image, char action, String name, String id) throws IOException {
        try (Qcow2Image img = Qcow2Image.openForWrite(Path.of(image))) {
            switch (action) {
                case 'c' -> img.createSnapshot(NewSnapshot.now(name));
                case 'a' -> img.applySnapshot(SnapshotRef.byIdOrName(name));
                case 'd' -> img.deleteSnapshot(id == null ? SnapshotRef.byName(name) : SnapshotRef.byIdAndName(id, name));
                default -> throw new IllegalArgumentException("no snapshot action '" + action + "'");
            }
        }
    }
}
