package io.blksnap.qmp;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Runs one QMP background job ({@code block-commit}, {@code snapshot-save}, ...) to its end by
 * following its {@code JOB_STATUS_CHANGE} events: completes it at {@code ready} when asked (an
 * active commit waits there for {@code job-complete}), reads QEMU's error when it concluded with
 * one, and always dismisses a concluded job it started, so a failed or timed-out job leaves nothing
 * behind in {@code query-jobs}.
 *
 * <p>The event mark is taken before the start command is sent: QEMU sends the job's first status
 * changes (even {@code ready}) before the command's {@code {}}.
 */
public final class QmpJob {

    /** How long a cancelled job may take to conclude before we give up on it. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

    private static final String STATUS_CHANGE = "JOB_STATUS_CHANGE";

    private QmpJob() {
    }

    /** A fresh job id: {@code blksnap-<purpose>-<random>}, unique across processes sharing a VM. */
    public static String newId(String purpose) {
        return "blksnap-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Starts a job with {@code command} and waits until it concluded.
     *
     * @param arguments the command's arguments; must hold the {@code job-id}. Pass
     *                  {@code auto-dismiss:false} where the command takes it, so QEMU keeps the
     *                  job (and its error) until we dismiss it.
     * @throws QmpException        the start command was refused, or the job concluded with an error
     *                             ({@link QmpJobException}, with QEMU's message), or the
     *                             connection closed before the job concluded
     * @throws QmpTimeoutException the job did not conclude in time; it was cancelled and dismissed
     */
    public static JobResult run(QmpClient qmp, String command, Map<String, Object> arguments, JobOptions options)
            throws QmpException {
        Object idArg = arguments.get("job-id");
        if (!(idArg instanceof String id) || id.isEmpty()) {
            throw new IllegalArgumentException(command + " needs a \"job-id\" argument to be run as a job");
        }
        long started = System.nanoTime();
        long deadline = started + options.timeout().toNanos();
        long mark = qmp.eventMark();
        long generation;
        try {
            qmp.execute(command, arguments, options.timeout());
            generation = qmp.generation();
        } catch (QmpTimeoutException e) {
            // the command may have started the job: leave nothing behind
            cancelQuietly(qmp, id, mark);
            throw e;
        }
        return new Runner(qmp, id, mark, generation, options, started, deadline).follow();
    }

    private static void cancelQuietly(QmpClient qmp, String id, long mark) {
        try {
            Runner r = new Runner(qmp, id, mark, qmp.generation(), JobOptions.of(CANCEL_WAIT), System.nanoTime(), 0);
            if (r.find() != null) {
                r.cancelAndConclude();
            }
        } catch (QmpException ignored) {
            // best effort after a timeout that is reported anyway
        }
    }

    /** The state of one job being followed. */
    private static final class Runner {
        private final QmpClient qmp;
        private final String id;
        private final JobOptions options;
        private final long started;
        private final long deadline;
        private final long startMark;
        private final long generation;
        private long seen;

        Runner(QmpClient qmp, String id, long mark, long generation, JobOptions options, long started,
               long deadline) {
            this.qmp = qmp;
            this.id = id;
            this.generation = generation;
            this.startMark = mark;
            this.seen = mark;
            this.options = options;
            this.started = started;
            this.deadline = deadline;
        }

        JobResult follow() throws QmpException {
            boolean completeSent = false;
            long nextProgress = System.nanoTime() + options.progressEvery().toNanos();
            while (true) {
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    return timedOut();
                }
                long until = options.progress() != null && nextProgress - deadline < 0 ? nextProgress : deadline;
                String status = nextStatus(until - now);
                if (status == null) {
                    if (options.progress() != null && System.nanoTime() - nextProgress >= 0) {
                        JsonNode j = find();
                        if (j != null) {
                            options.progress().progress(id, j.path("current-progress").asLong(),
                                    j.path("total-progress").asLong());
                        }
                        nextProgress += options.progressEvery().toNanos();
                    }
                    continue;
                }
                switch (status) {
                    case "ready" -> {
                        if (options.completeWhenReady() && !completeSent) {
                            call("job-complete", Map.of("id", id));
                            completeSent = true;
                        }
                    }
                    case "concluded", "null" -> {
                        return conclude(null);
                    }
                    default -> {
                        // created, running, paused, standby, waiting, pending, aborting: wait on
                    }
                }
            }
        }

        /** The job's entry in {@code query-jobs}, or null when QEMU has none (dismissed, or never started). */
        JsonNode find() throws QmpException {
            for (JsonNode j : call("query-jobs", null)) {
                if (id.equals(j.path("id").asText())) {
                    return j;
                }
            }
            return null;
        }

        /**
         * Runs a command on the connection that started the job. Once that connection is gone the
         * job's outcome is unknown: a reconnect may reach a restarted QEMU that never had the job.
         */
        private JsonNode call(String command, Object arguments) throws QmpException {
            if (qmp.generation() != generation || !qmp.isConnected()) {
                throw lost(null);
            }
            try {
                JsonNode r = qmp.execute(command, arguments);
                if (qmp.generation() != generation) {
                    throw lost(null);
                }
                return r;
            } catch (QmpTimeoutException e) {
                throw e;
            } catch (QmpException e) {
                throw e.errorClass() == null ? lost(e) : e;
            }
        }

        private QmpException lost(QmpException cause) {
            return new QmpException(qmp.socket(), "job " + id + ": the connection closed before the job concluded"
                    + " (did QEMU exit?); its outcome is unknown", null, cause);
        }

        /**
         * The next status change of this job within {@code nanos}, or null. A closed connection is
         * an error: the job may still run in a QEMU we no longer hear from.
         */
        private String nextStatus(long nanos) throws QmpException {
            QmpEvent e;
            try {
                e = qmp.awaitEvent(seen, ev -> STATUS_CHANGE.equals(ev.name()) && id.equals(ev.text("id")),
                        Duration.ofNanos(Math.max(1, nanos)));
            } catch (QmpTimeoutException slice) {
                if (qmp.generation() != generation) {
                    throw lost(null);
                }
                return null;
            } catch (QmpException closed) {
                throw lost(closed);
            }
            seen = e.seq();
            return e.text("status");
        }

        /** Reads the concluded job's error and progress, dismisses it, and throws its error. */
        private JobResult conclude(String cancelledBecause) throws QmpException {
            JsonNode j = find();
            String error;
            String type;
            long current = -1;
            long total = -1;
            if (j != null) {
                type = j.path("type").asText();
                current = j.path("current-progress").asLong();
                total = j.path("total-progress").asLong();
                error = j.hasNonNull("error") ? j.get("error").asText() : null;
                if ("concluded".equals(j.path("status").asText())) {
                    call("job-dismiss", Map.of("id", id));
                }
            } else {
                // QEMU dismissed it itself (auto-dismiss): only block jobs say how they ended, in events
                QmpEvent end = lastBlockJobEnd();
                type = end == null ? "unknown" : end.text("type");
                error = end == null ? null
                        : "BLOCK_JOB_CANCELLED".equals(end.name()) ? "Operation canceled" : end.text("error");
            }
            if (options.progress() != null && current >= 0) {
                options.progress().progress(id, current, total);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            if (cancelledBecause != null && error != null) {
                throw new QmpTimeoutException(qmp.socket(), "job " + id + " (" + type + ") " + cancelledBecause
                        + "; it was cancelled" + ("Operation canceled".equals(error) ? "" : " (" + error + ")")
                        + " and dismissed");
            }
            if (error != null) {
                throw new QmpJobException(qmp.socket(), id, type, error);
            }
            return new JobResult(id, type, current, total, elapsed);
        }

        private QmpEvent lastBlockJobEnd() {
            try {
                return qmp.awaitEvent(startMark, ev -> (ev.name().equals("BLOCK_JOB_COMPLETED")
                        || ev.name().equals("BLOCK_JOB_CANCELLED")) && id.equals(ev.text("device")), Duration.ZERO);
            } catch (QmpException none) {
                return null;
            }
        }

        private JobResult timedOut() throws QmpException {
            return cancelAndConclude("did not conclude within " + options.timeout().toMillis() + " ms");
        }

        JobResult cancelAndConclude() throws QmpException {
            return cancelAndConclude("was left running by a start command that timed out");
        }

        /**
         * Cancels the job and waits for it to conclude. A job that concluded without error in the
         * meantime did its work: that is returned, not reported as a timeout.
         */
        private JobResult cancelAndConclude(String why) throws QmpException {
            try {
                call("job-cancel", Map.of("id", id));
            } catch (QmpTimeoutException e) {
                throw e;
            } catch (QmpException e) {
                if (e.errorClass() == null) {
                    throw e;
                }
                // QEMU refuses to cancel a job that is already concluding: it ends by itself
            }
            long until = System.nanoTime() + CANCEL_WAIT.toNanos();
            while (true) {
                String status = nextStatus(until - System.nanoTime());
                if (status == null) {
                    throw new QmpTimeoutException(qmp.socket(), "job " + id + " " + why
                            + ", and did not conclude within " + CANCEL_WAIT.toSeconds()
                            + " s of job-cancel; it is still in query-jobs");
                }
                if (status.equals("concluded") || status.equals("null")) {
                    return conclude(why);
                }
            }
        }
    }
}
