package io.blksnap.app;

import io.blksnap.qcow2.CreateOptions;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.registry.Device;
import io.blksnap.registry.DeviceRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The embedded default: the demo group's images are created (small, empty qcow2) when missing. */
final class DemoImages {

    static final long SIZE = 64L << 20;

    private DemoImages() {
    }

    /** Creates each missing image of {@code group}; returns the ones it created. */
    static List<String> ensure(DeviceRegistry registry, String group) throws IOException {
        List<String> created = new ArrayList<>();
        for (Device d : registry.group(group)) {
            Files.createDirectories(d.overlayDir());
            if (!Files.exists(d.image())) {
                Files.createDirectories(d.image().getParent());
                Qcow2Image.create(d.image(), CreateOptions.ofSize(SIZE));
                created.add(d.image().toString());
            }
        }
        return created;
    }
}
