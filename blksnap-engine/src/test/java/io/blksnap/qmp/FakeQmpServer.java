package io.blksnap.qmp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Unix socket server that plays a scripted peer, for the failures a real QEMU will not produce on
 * demand: silence, a connection dropped mid-command, garbage.
 */
public final class FakeQmpServer implements AutoCloseable {

    static final String GREETING = "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":2,\"major\":7},"
            + "\"package\":\"fake\"},\"capabilities\":[\"oob\"]}}";

    /** One accepted connection's script; {@code n} counts connections from 1. */
    public interface Script {
        void play(int n, BufferedReader in, OutputStream out) throws IOException;
    }

    private final ServerSocketChannel server;
    private final Path path;
    private final AtomicInteger connections = new AtomicInteger();

    public FakeQmpServer(Path path, Script script) throws IOException {
        this.path = path;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread t = new Thread(() -> {
            while (server.isOpen()) {
                try (SocketChannel ch = server.accept()) {
                    int n = connections.incrementAndGet();
                    script.play(n, new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                            StandardCharsets.UTF_8)), Channels.newOutputStream(ch));
                } catch (IOException e) {
                    // the client went away or the server closed: wait for the next one
                }
            }
        }, "fake-qmp");
        t.setDaemon(true);
        t.start();
    }

    int connections() {
        return connections.get();
    }

    static void send(OutputStream out, String json) throws IOException {
        out.write((json + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The id of a command line as the client sent it (the fake answers with it). */
    static String idOf(String line) {
        int i = line.indexOf("\"id\":\"");
        return line.substring(i + 6, line.indexOf('"', i + 6));
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
    }
}
