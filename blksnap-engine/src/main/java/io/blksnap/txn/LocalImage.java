package io.blksnap.txn;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.PreparedChange;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.qcow2.SnapshotRef;
import io.blksnap.registry.Device;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.storage.FileStorage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An offline device: its active qcow2 file, opened (and QEMU-locked) on first use through the
 * pool, which keeps it open until the transaction ends. The active image is asked of the registry
 * each time, so a device resolved before a pivot never writes the layer it left.
 */
final class LocalImage implements DeviceAccess {

    private final String name;
    private final DeviceRegistry registry;
    private final ImagePool images;

    LocalImage(String name, DeviceRegistry registry, ImagePool images) {
        this.name = name;
        this.registry = registry;
        this.images = images;
    }

    private Qcow2Image image() throws IOException {
        return images.get(activeImage());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Path activeImage() throws IOException {
        return registry.activeImage(name);
    }

    @Override
    public Path overlayDir() throws IOException {
        return registry.device(name).overlayDir();
    }

    @Override
    public void checkUsable() throws IOException {
        Path active = activeImage();
        if (!Files.isRegularFile(active)) {
            throw new InvalidRequestException(name, "its image " + active + " does not exist");
        }
        if (!Files.isWritable(active) || markedReadOnly(active)) {
            throw new InvalidRequestException(name, "its image " + active + " is read-only");
        }
        if (image().needsRepair()) {
            throw new InvalidRequestException(name, "its image is marked corrupt or dirty; repair it first");
        }
        FileStorage.probeWritable(active);
    }

    /** No write bit for anyone: the operator's way of saying "never change this", honoured even as root. */
    private static boolean markedReadOnly(Path p) throws IOException {
        try {
            return Files.getPosixFilePermissions(p).stream().noneMatch(x -> x == PosixFilePermission.OWNER_WRITE
                    || x == PosixFilePermission.GROUP_WRITE || x == PosixFilePermission.OTHERS_WRITE);
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public boolean present() throws IOException {
        return Files.exists(activeImage());
    }

    @Override
    public long virtualSize() throws IOException {
        return image().virtualSize();
    }

    @Override
    public boolean hasExternalDataFile() throws IOException {
        return image().hasExternalDataFile();
    }

    @Override
    public List<Snapshot> snapshots() throws IOException {
        return image().snapshots();
    }

    @Override
    public Prepared prepareCreate(NewSnapshot snapshot) throws IOException {
        return Prepared.of(image().prepareCreate(snapshot));
    }

    @Override
    public Prepared prepareDelete(SnapshotRef ref) throws IOException {
        return Prepared.of(image().prepareDelete(ref));
    }

    @Override
    public Prepared prepareApply(SnapshotRef ref) throws IOException {
        return Prepared.of(image().prepareApply(ref));
    }

    @Override
    public void hold() throws IOException {
        image();
    }

    @Override
    public void holdOverlay(Path overlay) throws IOException {
        images.get(overlay);
    }

    @Override
    public void releaseOverlay(Path overlay) throws IOException {
        images.release(overlay);
    }

    @Override
    public List<Path> chain() throws IOException {
        return Qcow2Image.backingChain(activeImage());
    }

    /** Looks at every configured device's chain and every file in every overlay directory. */
    @Override
    public List<Path> backedBy(Path layer) throws IOException {
        Path target = layer.toRealPath();
        Set<Path> candidates = new LinkedHashSet<>();
        Set<Path> dirs = new LinkedHashSet<>();
        dirs.add(overlayDir());
        for (Device d : registry.devices()) {
            candidates.addAll(Qcow2Image.backingChain(registry.activeImage(d.name())));
            dirs.add(d.overlayDir());
        }
        for (Path dir : dirs) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    files.filter(Files::isRegularFile).forEach(f -> candidates.add(f.toAbsolutePath().normalize()));
                }
            }
        }
        List<Path> out = new ArrayList<>();
        for (Path c : candidates) {
            List<Path> below = backingOf(c);
            if (below.size() > 1 && Files.exists(below.get(1)) && below.get(1).toRealPath().equals(target)) {
                out.add(c);
            }
        }
        return out;
    }

    /** {@code image} and its backing file, or only the image when it has none or is no qcow2 image. */
    private static List<Path> backingOf(Path image) {
        try {
            List<Path> chain = Qcow2Image.backingChain(image);
            return chain.subList(0, Math.min(2, chain.size()));
        } catch (IOException e) {
            return List.of(image); // not an image we can read: it names no backing file we know of
        }
    }

    @Override
    public PreparedChange prepareMerge(Path upper, Path lower) throws IOException {
        Qcow2Image u = images.get(upper);
        return images.get(lower).prepareCommit(u);
    }

    @Override
    public String headerMark(Path image) throws IOException {
        return images.get(image).headerMark();
    }

    @Override
    public void replaceBackingFile(Path image, Path backing) throws IOException {
        images.get(image).replaceBackingFile(backing.toString());
    }
}
