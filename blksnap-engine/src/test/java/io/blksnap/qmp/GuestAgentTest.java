package io.blksnap.qmp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guest agent client against a scripted agent (a real one needs a guest OS). */
class GuestAgentTest {

    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    /** Answers like qemu-ga: 0xFF + the id for a sync, a number for freeze/thaw; logs what it got. */
    private FakeQmpServer agent(Path sock, List<String> log, int silentCommands) throws IOException {
        return new FakeQmpServer(sock, (n, in, out) -> {
            send(out, "{\"return\": 0}"); // stale output from an earlier client: must be ignored
            String line;
            int silent = silentCommands;
            while ((line = in.readLine()) != null) {
                String cmd = line.replace("\u00ff", "").replaceAll(".*\"execute\":\"([^\"]+)\".*", "$1");
                synchronized (log) {
                    log.add(cmd);
                }
                if (cmd.equals("guest-sync-delimited")) {
                    String id = line.replaceAll(".*\"id\":(\\d+).*", "$1");
                    out.write(0xFF);
                    send(out, "{\"return\": " + id + "}");
                } else if (silent-- > 0) {
                    continue; // the agent is busy or absent: no reply at all
                } else if (cmd.equals("guest-fsfreeze-freeze") || cmd.equals("guest-fsfreeze-thaw")) {
                    send(out, "{\"return\": 2}");
                } else {
                    send(out, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no " + cmd + "\"}}");
                }
            }
        });
    }

    private static void send(OutputStream out, String json) throws IOException {
        out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Test
    void syncsThenFreezesAndThaws() throws Exception {
        Path sock = dir.resolve("qga.sock");
        List<String> log = new ArrayList<>();
        try (FakeQmpServer fake = agent(sock, log, 0); GuestAgent ga = GuestAgent.connect(sock)) {
            assertEquals(2, ga.freeze(T));
            assertEquals(2, ga.thaw(T));
            QmpException e = assertThrows(QmpException.class, () -> ga.status(T));
            assertEquals("CommandNotFound", e.errorClass());
            synchronized (log) {
                assertEquals(List.of("guest-sync-delimited", "guest-fsfreeze-freeze", "guest-fsfreeze-thaw",
                        "guest-fsfreeze-status"), log);
            }
        }
    }

    @Test
    void aSilentAgentTimesOutAndTheNextCommandResyncs() throws Exception {
        Path sock = dir.resolve("qga.sock");
        List<String> log = new ArrayList<>();
        try (FakeQmpServer fake = agent(sock, log, 1); GuestAgent ga = GuestAgent.connect(sock)) {
            QmpTimeoutException e = assertThrows(QmpTimeoutException.class, () -> ga.freeze(Duration.ofMillis(300)));
            assertTrue(e.getMessage().contains(sock.toString()), e.getMessage());
            assertEquals(2, ga.thaw(T));
            synchronized (log) {
                assertEquals(List.of("guest-sync-delimited", "guest-fsfreeze-freeze", "guest-sync-delimited",
                        "guest-fsfreeze-thaw"), log);
            }
        }
    }

    @Test
    void aMissingSocketIsNamed() {
        Path sock = dir.resolve("none.sock");
        QmpException e = assertThrows(QmpException.class, () -> GuestAgent.connect(sock));
        assertTrue(e.getMessage().contains(sock.toString()), e.getMessage());
    }
}
