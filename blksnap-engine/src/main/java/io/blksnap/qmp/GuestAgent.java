package io.blksnap.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The QEMU guest agent on its host-side socket, for quiescing file systems around a snapshot.
 * Unlike QMP it has no greeting and no ids, and a missing agent simply never answers; so every
 * connection, and every exchange after a timeout, starts with {@code guest-sync-delimited}: the
 * agent answers with a 0xFF byte and then the random id we sent, and everything before that is
 * stale output to drop.
 */
public final class GuestAgent implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Put in the queue when the agent sends 0xFF: the sync reply follows it. */
    private static final JsonNode DELIMITER = JSON.createObjectNode().put("delimiter", true);

    private final Path socket;
    private final SocketChannel channel;
    private final BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
    private volatile String closedReason;
    private boolean synced;

    private GuestAgent(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
    }

    public static GuestAgent connect(Path socket) throws QmpException {
        try {
            GuestAgent a = new GuestAgent(socket, SocketChannel.open(UnixDomainSocketAddress.of(socket)));
            Thread t = new Thread(a::readLoop, "guest-agent " + socket.getFileName());
            t.setDaemon(true);
            t.start();
            return a;
        } catch (IOException e) {
            throw new QmpException(socket, Files.exists(socket) ? "guest agent socket refused: " + e.getMessage()
                    : "no such guest agent socket", null, e);
        }
    }

    /** {@code guest-fsfreeze-freeze}: the number of file systems frozen. */
    public int freeze(Duration timeout) throws QmpException {
        return execute("guest-fsfreeze-freeze", timeout).asInt();
    }

    /** {@code guest-fsfreeze-thaw}: the number of file systems thawed. */
    public int thaw(Duration timeout) throws QmpException {
        return execute("guest-fsfreeze-thaw", timeout).asInt();
    }

    /** {@code guest-fsfreeze-status}: "thawed" or "frozen". */
    public String status(Duration timeout) throws QmpException {
        return execute("guest-fsfreeze-status", timeout).asText();
    }

    /** Runs one command (after a sync when needed) and returns its {@code return} value. */
    public synchronized JsonNode execute(String command, Duration timeout) throws QmpException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!synced) {
            sync(deadline);
        }
        ObjectNode msg = JSON.createObjectNode().put("execute", command);
        send(msg.toString().getBytes(StandardCharsets.UTF_8));
        JsonNode reply = next(deadline, command);
        if (reply.has("error")) {
            JsonNode err = reply.get("error");
            String cls = err.path("class").asText("Error");
            throw new QmpException(socket, command + " failed: " + err.path("desc").asText(cls), cls, null);
        }
        return reply.path("return");
    }

    private void sync(long deadline) throws QmpException {
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        replies.clear();
        ObjectNode msg = JSON.createObjectNode().put("execute", "guest-sync-delimited");
        msg.putObject("arguments").put("id", id);
        byte[] body = msg.toString().getBytes(StandardCharsets.UTF_8);
        byte[] wire = new byte[body.length + 1];
        wire[0] = (byte) 0xFF; // makes the agent drop any partial input of an earlier client
        System.arraycopy(body, 0, wire, 1, body.length);
        send(wire);
        boolean delimited = false;
        while (true) {
            JsonNode r = next(deadline, "guest-sync-delimited");
            if (r == DELIMITER) {
                delimited = true;
            } else if (delimited && r.path("return").asLong() == id) {
                synced = true;
                return;
            }
        }
    }

    private JsonNode next(long deadline, String what) throws QmpException {
        try {
            long left = deadline - System.nanoTime();
            JsonNode r = left > 0 ? replies.poll(left, TimeUnit.NANOSECONDS) : null;
            if (r == null) {
                if (closedReason != null) {
                    throw new QmpException(socket, "no reply to " + what + ": " + closedReason);
                }
                synced = false; // a late reply may still come: resync before the next command
                throw new QmpTimeoutException(socket, "the guest agent did not answer " + what
                        + " in time (is it running in the guest?)");
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException(socket, "interrupted waiting for " + what, null, e);
        }
    }

    private void send(byte[] bytes) throws QmpException {
        try {
            ByteBuffer b = ByteBuffer.allocate(bytes.length + 1).put(bytes).put((byte) '\n').flip();
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new QmpException(socket, "sending to the guest agent failed: " + e.getMessage(), null, e);
        }
    }

    private void readLoop() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try (InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(channel))) {
            int b;
            while ((b = in.read()) != -1) {
                if (b == 0xFF) {
                    line.reset();
                    replies.add(DELIMITER);
                } else if (b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8).trim();
                    line.reset();
                    if (!text.isEmpty()) {
                        try {
                            replies.add(JSON.readTree(text));
                        } catch (IOException ignored) {
                            // stale partial output from before a sync: the sync's id tells what is current
                        }
                    }
                } else {
                    line.write(b);
                }
            }
            closedReason = "the guest agent socket closed";
        } catch (IOException e) {
            closedReason = "guest agent connection lost: " + e.getMessage();
        }
    }

    @Override
    public void close() {
        closedReason = "closed by blksnap";
        try {
            channel.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
