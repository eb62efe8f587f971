package io.blksnap.bench;

import io.blksnap.qcow2.NewSnapshot;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.SnapshotRef;

import java.io.IOException;
import java.nio.file.Path;

/** The timed operations: blksnap in-process (open for write, act, close) and qemu-img processes. */
final class Ops {

    private Ops() {
    }

    static void blksnapCreate(Path img, String snap) throws IOException {
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.createSnapshot(NewSnapshot.now(snap));
        }
    }

    static void blksnapDelete(Path img, String snap) throws IOException {
        try (Qcow2Image q = Qcow2Image.openForWrite(img)) {
            q.deleteSnapshot(SnapshotRef.byName(snap));
        }
    }

    static void qemuImgCreate(Path img, String snap) throws IOException, InterruptedException {
        Spawn.quiet("qemu-img", "snapshot", "-c", snap, img.toString());
    }

    static void qemuImgDelete(Path img, String snap) throws IOException, InterruptedException {
        Spawn.quiet("qemu-img", "snapshot", "-d", snap, img.toString());
    }
}
