package io.blksnap.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A client of one QEMU's QMP socket. Commands are synchronous with a timeout; events are kept in a
 * bounded log so a caller can wait for one that arrived before the reply of the command that caused
 * it (QEMU sends STOP before {@code stop}'s reply, job events before {@code block-commit}'s).
 *
 * <p>When QEMU has closed the connection, the next command reconnects first (QEMU restarted on the
 * same socket). A command whose connection died while it was in flight is never sent again: it may
 * have run, and QMP commands are not idempotent.
 */
public final class QmpClient implements AutoCloseable {

    /** How many events are kept for {@link #awaitEvent}; older ones are dropped. */
    static final int EVENT_LOG_SIZE = 4096;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;
    private final Duration timeout;
    private final Deque<QmpEvent> eventLog = new ArrayDeque<>();
    private final List<Consumer<QmpEvent>> listeners = new CopyOnWriteArrayList<>();
    /** Guards the event log; separate from the connection's lock so events flow while a command connects. */
    private final Object eventLock = new Object();
    private long lastSeq;
    private volatile QmpConnection connection;
    /** Counts connections opened, so a caller can tell that a reconnect happened in between. */
    private volatile long generation;
    private volatile boolean closed;

    private QmpClient(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /**
     * Connects to {@code socket}, reads QEMU's greeting and negotiates capabilities.
     *
     * @param timeout the default wait for the greeting and for each command's reply
     */
    public static QmpClient connect(Path socket, Duration timeout) throws QmpException {
        QmpClient c = new QmpClient(socket, timeout);
        c.connection();
        return c;
    }

    public Path socket() {
        return socket;
    }

    /** QEMU's version object from the greeting ({@code {"qemu":{"major":7,...},"package":...}}). */
    public synchronized JsonNode version() throws QmpException {
        return connection().version();
    }

    /** Runs {@code command} with the default timeout. */
    public JsonNode execute(String command) throws QmpException {
        return execute(command, null, timeout);
    }

    /** Runs {@code command} with the default timeout; {@code arguments} is a JsonNode, a Map or a record. */
    public JsonNode execute(String command, Object arguments) throws QmpException {
        return execute(command, arguments, timeout);
    }

    /**
     * Runs {@code command} and returns its {@code return} value. An error reply throws a
     * {@link QmpException} carrying QEMU's error class; no reply in time a {@link QmpTimeoutException}.
     */
    public JsonNode execute(String command, Object arguments, Duration wait) throws QmpException {
        JsonNode args = arguments == null ? null
                : arguments instanceof JsonNode n ? n : JSON.valueToTree(arguments);
        return connection().execute(command, args, wait);
    }

    /** The sequence number of the newest event received so far: a mark for {@link #awaitEvent}. */
    public long eventMark() {
        synchronized (eventLock) {
            return lastSeq;
        }
    }

    /**
     * Waits for the first event after {@code mark} that {@code match} accepts, including events that
     * arrived before this call.
     */
    public QmpEvent awaitEvent(long mark, Predicate<QmpEvent> match, Duration wait) throws QmpException {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (eventLock) {
            while (true) {
                for (QmpEvent e : eventLog) {
                    if (e.seq() > mark && match.test(e)) {
                        return e;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new QmpTimeoutException(socket, "no matching event within " + wait.toMillis() + " ms");
                }
                QmpConnection c = connection;
                if (closed || c != null && !c.isOpen()) {
                    throw new QmpException(socket, "connection closed while waiting for an event");
                }
                try {
                    eventLock.wait(Math.max(1, left / 1_000_000), (int) (left % 1_000_000));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new QmpException(socket, "interrupted waiting for an event", null, ie);
                }
            }
        }
    }

    /** Called on QMP's reader thread for every event; keep it short. */
    public void addListener(Consumer<QmpEvent> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<QmpEvent> listener) {
        listeners.remove(listener);
    }

    /** Whether the current connection is open (a closed one is reopened by the next command). */
    public synchronized boolean isConnected() {
        return connection != null && connection.isOpen();
    }

    /**
     * Which connection is current: it changes when a command reconnected, that is when QEMU may
     * have restarted and forgotten whatever the old connection started (a job, a pause).
     */
    public long generation() {
        return generation;
    }

    private synchronized QmpConnection connection() throws QmpException {
        if (closed) {
            throw new QmpException(socket, "client closed");
        }
        if (connection == null || !connection.isOpen()) {
            connection = QmpConnection.open(socket, timeout, this::onEvent, this::wakeWaiters);
            generation++;
        }
        return connection;
    }

    private void onEvent(JsonNode msg) {
        JsonNode ts = msg.path("timestamp");
        Instant at = Instant.ofEpochSecond(ts.path("seconds").asLong(), ts.path("microseconds").asLong() * 1000);
        JsonNode data = msg.has("data") ? msg.get("data") : JsonNodeFactory.instance.objectNode();
        QmpEvent event;
        synchronized (eventLock) {
            event = new QmpEvent(++lastSeq, msg.path("event").asText(), data, at);
            eventLog.addLast(event);
            if (eventLog.size() > EVENT_LOG_SIZE) {
                eventLog.removeFirst();
            }
            eventLock.notifyAll();
        }
        for (Consumer<QmpEvent> l : listeners) {
            l.accept(event);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (connection != null) {
                connection.close();
            }
        }
        wakeWaiters();
    }

    private void wakeWaiters() {
        synchronized (eventLock) {
            eventLock.notifyAll();
        }
    }
}
