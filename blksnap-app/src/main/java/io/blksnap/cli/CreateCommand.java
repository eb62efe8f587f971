package io.blksnap.cli;

import io.blksnap.qcow2.CreateOptions;
import io.blksnap.qcow2.ImageInfo;
import io.blksnap.qcow2.Qcow2Image;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code blksnap create}: a new, empty qcow2 image, as {@code qemu-img create -f qcow2}. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a qcow2 image of SIZE bytes (suffixes k, M, G, T allowed), "
                + "or of its backing file's size.")
final class CreateCommand extends ImageCommand {

    private static final byte[] QCOW2_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};

    @Option(names = "-f", paramLabel = "FMT", description = "Image format; only qcow2.")
    String format = "qcow2";

    @Option(names = "-o", paramLabel = "OPTIONS", description = "Comma-separated options: cluster_size=SIZE, "
            + "refcount_bits=N, compat=0.10|1.1, extended_l2=on|off, lazy_refcounts=on|off.")
    List<String> options = new ArrayList<>();

    @Option(names = "-b", paramLabel = "BACKING", description = "Backing file (relative to IMAGE's directory).")
    String backing;

    @Option(names = "-F", paramLabel = "FMT", description = "Backing file format: qcow2 or raw "
            + "(default: detected and recorded).")
    String backingFormat;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SIZE", description = "Virtual size.")
    String size;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("qcow2")) {
            throw usage("unsupported format \"" + format + "\" (only qcow2)");
        }
        if (backingFormat != null && backing == null) {
            throw usage("-F needs a backing file (-b)");
        }
        if (size == null && backing == null) {
            throw usage("SIZE is needed when there is no backing file");
        }
        CreateOptions o = CreateOptions.ofSize(size == null ? -1 : roundUpToSector(parseSize("size", size)));
        for (String list : options) {
            for (String kv : list.split(",")) {
                o = apply(o, kv);
            }
        }
        if (backing != null) {
            o = o.withBacking(backing, backingFormat != null ? backingFormat : detectFormat(backing));
        }
        Qcow2Image.create(imagePath(), o);
        ImageInfo info;
        try (Qcow2Image img = Qcow2Image.open(imagePath())) {
            info = img.info();
        }
        out().println(describe(o, info));
        return 0;
    }

    private CreateOptions apply(CreateOptions o, String kv) {
        int eq = kv.indexOf('=');
        if (eq < 0) {
            throw usage("invalid option \"" + kv + "\" (expected name=value)");
        }
        String key = kv.substring(0, eq).trim();
        String value = kv.substring(eq + 1).trim();
        return switch (key) {
            case "cluster_size" -> o.withClusterSize((int) Math.min(Integer.MAX_VALUE, parseSize(key, value)));
            case "refcount_bits" -> o.withRefcountBits(parseInt(key, value));
            case "compat" -> o.withCompat(value);
            case "extended_l2" -> o.withExtendedL2(parseBool(key, value));
            case "lazy_refcounts" -> o.withLazyRefcounts(parseBool(key, value));
            default -> throw usage("invalid option \"" + key + "\" (cluster_size, refcount_bits, compat, "
                    + "extended_l2 or lazy_refcounts)");
        };
    }

    /** As QEMU's qcow2 driver: the virtual size is rounded up to whole 512-byte sectors. */
    private static long roundUpToSector(long bytes) {
        return bytes > Long.MAX_VALUE - 511 ? bytes : (bytes + 511) & ~511L;
    }

    private long parseSize(String what, String value) {
        try {
            return Sizes.parse(value);
        } catch (IllegalArgumentException e) {
            throw usage(what + ": " + e.getMessage());
        }
    }

    private int parseInt(String what, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw usage(what + ": \"" + value + "\" is not a number");
        }
    }

    private boolean parseBool(String what, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw usage(what + ": \"" + value + "\" is not on or off");
        };
    }

    /** The backing file's format when -F is not given: qcow2 if it has the magic, else raw. */
    private String detectFormat(String file) throws IOException {
        Path p = imagePath().toAbsolutePath().getParent().resolve(file);
        if (!Files.isRegularFile(p)) {
            return null; // the engine reports the missing file
        }
        try (InputStream in = Files.newInputStream(p)) {
            return java.util.Arrays.equals(in.readNBytes(4), QCOW2_MAGIC) ? "qcow2" : "raw";
        }
    }

    private String describe(CreateOptions o, ImageInfo info) {
        StringBuilder s = new StringBuilder("Formatting '").append(image).append("', fmt=qcow2");
        if (!o.compat().equals(CreateOptions.ofSize(0).compat())) {
            s.append(" compat=").append(o.compat());
        }
        s.append(" cluster_size=").append(info.clusterSize())
                .append(" extended_l2=").append(info.extendedL2() ? "on" : "off")
                .append(" size=").append(info.virtualSize());
        if (info.backingFile() != null) {
            s.append(" backing_file=").append(info.backingFile());
        }
        if (info.backingFormat() != null) {
            s.append(" backing_fmt=").append(info.backingFormat());
        }
        s.append(" lazy_refcounts=").append(info.lazyRefcounts() ? "on" : "off")
                .append(" refcount_bits=").append(info.refcountBits());
        return s.toString();
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
