package io.blksnap.cli;

import io.blksnap.testing.Qemu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An image held open by a running qemu-io (QEMU's write lock): writers refuse, the file is untouched. */
class InUseTest {

    @TempDir
    Path dir;

    Path img;
    String name;
    Path state;
    Process qemuIo;

    @BeforeEach
    void holdImage() throws Exception {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
        img = dir.resolve("disk.qcow2");
        name = img.toString();
        state = dir.resolve("state");
        Qemu.img("create", "-q", "-f", "qcow2", name, "64M").ok();
        Qemu.io(img, "write -P 1 0 1M");
        Qemu.img("snapshot", "-c", "s", name).ok();
        // stdin stays open (a pipe we never close), so qemu-io waits at its prompt holding the image
        qemuIo = new ProcessBuilder("qemu-io", "-f", "qcow2", name).redirectErrorStream(true).start();
        waitForPrompt(qemuIo.getInputStream());
        assertTrue(Qemu.img("check", name).err().contains("lock"), "qemu-img sees the image locked");
    }

    @AfterEach
    void release() throws Exception {
        if (qemuIo != null) {
            qemuIo.destroy();
            if (!qemuIo.waitFor(10, TimeUnit.SECONDS)) {
                qemuIo.destroyForcibly();
            }
        }
    }

    @Test
    void writersRefuseWithOneLineAndLeaveTheFileAlone() throws Exception {
        String before = Images.sha256(img);
        for (String[] args : List.of(
                new String[] {"snapshot", "--state-dir", state.toString(), "-c", "new", name},
                new String[] {"snapshot", "--state-dir", state.toString(), "-d", "s", name},
                new String[] {"snapshot", "--state-dir", state.toString(), "-a", "s", name},
                new String[] {"check", "--repair", "leaks", name})) {
            String reason = Errors.assertOneLine(Blksnap.run(args), name);
            assertTrue(reason.contains("in use"), reason);
            assertEquals(before, Images.sha256(img), String.join(" ", args));
        }
        assertTrue(qemuIo.isAlive());
    }

    @Test
    void readersStillWorkLikeQemuImgWithForceShare() throws Exception {
        String before = Images.sha256(img);
        Blksnap.snapshot(state, "-l", name).ok();
        Blksnap.run("info", "--json", name).ok();
        assertEquals(0, Blksnap.run("check", name).exit());
        assertEquals(before, Images.sha256(img));
    }

    private static void waitForPrompt(InputStream in) throws Exception {
        CompletableFuture<Void> prompt = CompletableFuture.runAsync(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                int b;
                while ((b = in.read()) >= 0) {
                    seen.append((char) b);
                    if (seen.indexOf("qemu-io>") >= 0) {
                        return;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("qemu-io exited: " + new String(seen.toString()
                    .getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
        });
        prompt.get(30, TimeUnit.SECONDS);
    }
}
