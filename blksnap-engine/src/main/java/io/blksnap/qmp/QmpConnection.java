package io.blksnap.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One connection to a QMP socket: the greeting, capabilities negotiation, then commands matched to
 * their replies by {@code id} (never by order: QEMU answers malformed input without an id, and
 * events that a command causes arrive before its reply). A reader thread owns the input side.
 */
final class QmpConnection implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;
    private final SocketChannel channel;
    private final Consumer<JsonNode> events;
    private final Runnable onClosed;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile String closedReason;

    private QmpConnection(Path socket, SocketChannel channel, Consumer<JsonNode> events, Runnable onClosed) {
        this.socket = socket;
        this.channel = channel;
        this.events = events;
        this.onClosed = onClosed;
    }

    /** How long a refused or dropped connection attempt is tried again. */
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A connection refused, or closed by QEMU before the session began: worth another try. */
    private static final class Dropped extends QmpException {
        Dropped(Path socket, String message, Throwable cause) {
            super(socket, message, null, cause);
        }
    }

    /**
     * Connects, reads the greeting and leaves capabilities negotiation mode. QEMU serves one client
     * per monitor and, just after one leaves, may refuse or drop the next for a moment: such an
     * attempt is tried again for up to a second (a QEMU that is gone keeps refusing).
     */
    static QmpConnection open(Path socket, Duration timeout, Consumer<JsonNode> events, Runnable onClosed)
            throws QmpException {
        long deadline = System.nanoTime() + RETRY_NANOS;
        while (true) {
            try {
                return openOnce(socket, timeout, events, onClosed);
            } catch (Dropped e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new QmpException(socket, "interrupted while connecting", null, ie);
            }
        }
    }

    private static QmpConnection openOnce(Path socket, Duration timeout, Consumer<JsonNode> events,
                                          Runnable onClosed) throws QmpException {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            if (!Files.exists(socket)) {
                throw new QmpException(socket, "no such socket (is QEMU running with -qmp unix:...?)", null, e);
            }
            if (e instanceof ConnectException) {
                throw new Dropped(socket, "connection refused (is QEMU running?)", e);
            }
            throw new QmpException(socket, "cannot connect: " + e.getMessage(), null, e);
        }
        QmpConnection c = new QmpConnection(socket, ch, events, onClosed);
        Thread reader = new Thread(c::readLoop, "qmp-reader " + socket.getFileName());
        reader.setDaemon(true);
        reader.start();
        try {
            JsonNode hello = c.await(c.greeting, timeout, "QMP greeting");
            if (!hello.path("QMP").isObject()) {
                throw new QmpException(socket, "not a QMP socket (greeting: " + abbreviate(hello) + ")");
            }
            c.execute("qmp_capabilities", null, timeout);
            return c;
        } catch (QmpException e) {
            // QEMU closed it before the session began (not silence, not an error reply)
            boolean dropped = !c.isOpen() && e.errorClass() == null && !(e instanceof QmpTimeoutException);
            c.close();
            if (dropped) {
                String prefix = "QMP " + socket + ": ";
                String m = e.getMessage();
                throw new Dropped(socket, m.startsWith(prefix) ? m.substring(prefix.length()) : m, e);
            }
            throw e;
        }
    }

    JsonNode version() {
        return greeting.getNow(JSON.nullNode()).path("QMP").path("version");
    }

    boolean isOpen() {
        return closedReason == null;
    }

    /** Runs one command; its {@code return} value, or a QmpException with QEMU's error class. */
    JsonNode execute(String command, JsonNode arguments, Duration timeout) throws QmpException {
        String id = "blksnap-" + ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("execute", command);
        if (arguments != null && !arguments.isNull()) {
            msg.set("arguments", arguments);
        }
        msg.put("id", id);
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            if (closedReason != null) {
                throw new QmpException(socket, closedReason);
            }
            send(msg);
            JsonNode r = await(reply, timeout, "reply to " + command);
            JsonNode error = r.get("error");
            if (error != null) {
                String cls = error.path("class").asText("Error");
                throw new QmpException(socket, command + " failed: " + error.path("desc").asText(cls), cls, null);
            }
            return r.path("return");
        } finally {
            pending.remove(id);
        }
    }

    private void send(ObjectNode msg) throws QmpException {
        byte[] bytes = (msg.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        try {
            synchronized (channel) {
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        } catch (IOException e) {
            close("sending failed: " + e.getMessage());
            throw new QmpException(socket, "sending " + msg.path("execute").asText() + " failed: " + e.getMessage(), null, e);
        }
    }

    private JsonNode await(CompletableFuture<JsonNode> f, Duration timeout, String what) throws QmpException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new QmpTimeoutException(socket, "no " + what + " within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new QmpException(socket, "no " + what + ": " + closedReason, null, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException(socket, "interrupted waiting for " + what, null, e);
        }
    }

    private void readLoop() {
        String reason = "QEMU closed the connection";
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    dispatch(line);
                }
            }
        } catch (IOException e) {
            if (closedReason == null) {
                reason = "connection lost: " + e.getMessage();
            }
        } finally {
            close(reason);
        }
    }

    private void dispatch(String line) {
        JsonNode msg;
        try {
            msg = JSON.readTree(line);
        } catch (IOException e) {
            close("QEMU sent something that is not JSON: " + abbreviate(line));
            return;
        }
        if (msg.has("QMP")) {
            greeting.complete(msg);
        } else if (msg.has("event")) {
            events.accept(msg);
        } else if (msg.has("id")) {
            CompletableFuture<JsonNode> f = pending.get(msg.get("id").asText());
            if (f != null) {
                f.complete(msg);
            }
        }
        // A reply without an id answers input we did not send (we only send well-formed commands
        // with ids): nothing waits for it.
    }

    private void close(String reason) {
        boolean first;
        synchronized (this) {
            first = closedReason == null;
            if (first) {
                closedReason = reason;
            }
        }
        QmpException e = new QmpException(socket, closedReason);
        greeting.completeExceptionally(e);
        pending.values().forEach(f -> f.completeExceptionally(e));
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is best effort: the reason is already recorded
        }
        if (first) {
            onClosed.run();
        }
    }

    @Override
    public void close() {
        close("closed by blksnap");
    }

    private static String abbreviate(Object o) {
        String s = String.valueOf(o);
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
