package io.blksnap.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuVm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The QMP client against a real QEMU, and against scripted peers for the failures QEMU won't stage. */
class QmpClientTest {

    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Path image(String name) throws Exception {
        Path p = dir.resolve(name);
        Qemu.img("create", "-q", "-f", "qcow2", p.toString(), "64M").ok();
        return p;
    }

    @Test
    void talksToQemu() throws Exception {
        try (QemuVm vm = QemuVm.start(dir.resolve("qmp.sock"), Map.of("d0", image("a.qcow2")));
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            assertTrue(qmp.version().path("qemu").path("major").asInt() >= 7, qmp.version().toString());
            assertEquals("running", qmp.execute("query-status").path("status").asText());
            List<String> nodes = new ArrayList<>();
            qmp.execute("query-named-block-nodes").forEach(n -> nodes.add(n.path("node-name").asText()));
            assertTrue(nodes.contains("d0"), nodes.toString());
        }
    }

    @Test
    void errorRepliesCarryQemusClassAndNameTheSocket() throws Exception {
        try (QemuVm vm = QemuVm.start(dir.resolve("qmp.sock"), Map.of("d0", image("a.qcow2")));
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            QmpException unknown = assertThrows(QmpException.class, () -> qmp.execute("no-such-command"));
            assertEquals("CommandNotFound", unknown.errorClass());
            assertTrue(unknown.getMessage().contains(vm.qmpSocket().toString()), unknown.getMessage());
            QmpException bad = assertThrows(QmpException.class,
                    () -> qmp.execute("query-status", Map.of("bogus", 1)));
            assertEquals("GenericError", bad.errorClass());
            assertTrue(bad.getMessage().contains("bogus"), bad.getMessage());
            // the connection is still usable after errors
            assertEquals("running", qmp.execute("query-status").path("status").asText());
        }
    }

    @Test
    void eventsThatArriveBeforeTheReplyAreStillSeen() throws Exception {
        try (QemuVm vm = QemuVm.start(dir.resolve("qmp.sock"), Map.of("d0", image("a.qcow2")));
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            List<String> heard = new ArrayList<>();
            qmp.addListener(e -> {
                synchronized (heard) {
                    heard.add(e.name());
                }
            });
            long mark = qmp.eventMark();
            qmp.execute("stop");
            // QEMU sends STOP before stop's reply: it is in the log already, not lost
            QmpEvent stop = qmp.awaitEvent(mark, e -> e.name().equals("STOP"), Duration.ofMillis(1));
            assertTrue(stop.seq() > mark);
            assertEquals("paused", qmp.execute("query-status").path("status").asText());
            long mark2 = qmp.eventMark();
            qmp.execute("cont");
            qmp.awaitEvent(mark2, e -> e.name().equals("RESUME"), T);
            assertThrows(QmpTimeoutException.class,
                    () -> qmp.awaitEvent(qmp.eventMark(), e -> true, Duration.ofMillis(200)));
            synchronized (heard) {
                assertEquals(List.of("STOP", "RESUME"), heard);
            }
        }
    }

    @Test
    void aTransactionIsAtomicInsideQemu() throws Exception {
        Path a = image("a.qcow2");
        Path b = image("b.qcow2");
        try (QemuVm vm = QemuVm.start(dir.resolve("qmp.sock"), Map.of("d0", a, "d1", b));
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            qmp.execute("transaction", Map.of("actions", List.of(
                    internalSnapshot("d0", "s1"), internalSnapshot("d1", "s1"))));
            qmp.execute("blockdev-snapshot-internal-sync", Map.of("device", "d1", "name", "s2"));
            QmpException dup = assertThrows(QmpException.class, () -> qmp.execute("transaction",
                    Map.of("actions", List.of(internalSnapshot("d0", "s2"), internalSnapshot("d1", "s2")))));
            assertEquals("GenericError", dup.errorClass());
            assertEquals(List.of("s1"), Qemu.snapshotNames(a));
            assertEquals(List.of("s1", "s2"), Qemu.snapshotNames(b));
        }
    }

    private static Map<String, Object> internalSnapshot(String node, String name) {
        return Map.of("type", "blockdev-snapshot-internal-sync", "data", Map.of("device", node, "name", name));
    }

    @Test
    void reconnectsWhenQemuRestartedOnTheSameSocket() throws Exception {
        Path a = image("a.qcow2");
        Path sock = dir.resolve("qmp.sock");
        try (QmpClient qmp = connectTo(sock, a)) {
            try (QemuVm second = restart(qmp, sock, a)) {
                assertFalse(qmp.isConnected());
                assertEquals("running", qmp.execute("query-status").path("status").asText());
                assertTrue(qmp.isConnected());
            }
        }
    }

    private QemuVm first;

    private QmpClient connectTo(Path sock, Path image) throws Exception {
        first = QemuVm.start(sock, Map.of("d0", image));
        return QmpClient.connect(sock, T);
    }

    private QemuVm restart(QmpClient qmp, Path sock, Path image) throws Exception {
        long mark = qmp.eventMark();
        qmp.execute("quit");
        qmp.awaitEvent(mark, e -> e.name().equals("SHUTDOWN"), T);
        assertTrue(first.awaitExit(10));
        first.close();
        long deadline = System.nanoTime() + T.toNanos();
        while (qmp.isConnected() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return QemuVm.start(sock, Map.of("d0", image));
    }

    @Test
    void aMissingSocketIsNamed() {
        Path sock = dir.resolve("nobody.sock");
        QmpException e = assertThrows(QmpException.class, () -> QmpClient.connect(sock, T));
        assertNull(e.errorClass());
        assertTrue(e.getMessage().contains(sock.toString()) && e.getMessage().contains("no such socket"),
                e.getMessage());
    }

    @Test
    void aSocketNobodyListensOnIsRefused() throws Exception {
        Path sock = dir.resolve("stale.sock");
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(sock));
        s.close(); // the file stays, as after QEMU was killed
        QmpException e = assertThrows(QmpException.class, () -> QmpClient.connect(sock, T));
        assertTrue(e.getMessage().contains(sock.toString()) && e.getMessage().contains("refused"), e.getMessage());
    }

    @Test
    void aSilentPeerTimesOut() throws Exception {
        Path sock = dir.resolve("silent.sock");
        try (FakeQmpServer fake = new FakeQmpServer(sock, (n, in, out) -> {
            while (in.readLine() != null) {
                // accept, read, never answer
            }
        })) {
            long t0 = System.nanoTime();
            QmpTimeoutException e = assertThrows(QmpTimeoutException.class,
                    () -> QmpClient.connect(sock, Duration.ofMillis(300)));
            assertTrue(e.getMessage().contains(sock.toString()) && e.getMessage().contains("greeting"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "the timeout is honoured");
        }
    }

    @Test
    void aCommandWhoseConnectionDropsFailsAndIsNotResent() throws Exception {
        Path sock = dir.resolve("drop.sock");
        List<String> received = new ArrayList<>();
        try (FakeQmpServer fake = new FakeQmpServer(sock, (n, in, out) -> {
            FakeQmpServer.send(out, FakeQmpServer.GREETING);
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (received) {
                    received.add(line);
                }
                if (line.contains("qmp_capabilities") || n > 1) {
                    FakeQmpServer.send(out, "{\"return\":{},\"id\":\"" + FakeQmpServer.idOf(line) + "\"}");
                } else {
                    return; // the first connection drops on its first real command
                }
            }
        }); QmpClient qmp = QmpClient.connect(sock, T)) {
            QmpException e = assertThrows(QmpException.class, () -> qmp.execute("stop"));
            assertFalse(e instanceof QmpTimeoutException, e.toString());
            assertTrue(e.getMessage().contains("closed the connection"), e.getMessage());
            // the next command reconnects; the dropped one was not sent again
            JsonNode r = qmp.execute("cont");
            assertTrue(r.isObject());
            assertEquals(2, fake.connections());
            synchronized (received) {
                assertEquals(1, received.stream().filter(l -> l.contains("\"stop\"")).count(), received.toString());
            }
        }
    }

    @Test
    void garbageFromThePeerClosesTheConnectionWithAReason() throws Exception {
        Path sock = dir.resolve("garbage.sock");
        try (FakeQmpServer fake = new FakeQmpServer(sock, (n, in, out) -> {
            FakeQmpServer.send(out, FakeQmpServer.GREETING);
            String line = in.readLine();
            FakeQmpServer.send(out, "{\"return\":{},\"id\":\"" + FakeQmpServer.idOf(line) + "\"}");
            in.readLine();
            FakeQmpServer.send(out, "this is not json");
            while (in.readLine() != null) {
                // keep the connection open: the client must close it
            }
        }); QmpClient qmp = QmpClient.connect(sock, T)) {
            QmpException e = assertThrows(QmpException.class, () -> qmp.execute("query-status"));
            assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
        }
    }
}
