package io.blksnap.qmp;

import io.blksnap.testing.Qemu;
import io.blksnap.testing.QemuVm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.blksnap.qmp.LiveDisks.jobs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The job runner against a real QEMU, and against a scripted peer for event orders QEMU won't stage on demand. */
class QmpJobTest {

    private static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aJobThatFailsThrowsQemusMessageAndIsDismissed() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", a.toString(), "8M").ok();
        try (QemuVm vm = QemuVm.start(dir.resolve("qmp.sock"), Map.of("d0", a));
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            JobResult saved = QmpJob.run(qmp, "snapshot-save", save("vm1"), JobOptions.of(T));
            assertEquals("snapshot-save", saved.type());
            assertEquals(saved.totalProgress(), saved.currentProgress());
            assertEquals(List.of(), jobs(qmp));

            // QEMU returns {} to the start command; the failure is only in the concluded job
            QmpJobException e = assertThrows(QmpJobException.class,
                    () -> QmpJob.run(qmp, "snapshot-save", save("vm1"), JobOptions.of(T)));
            assertEquals("Snapshot 'vm1' already exists in one or more devices", e.jobError());
            assertTrue(e.jobId().startsWith("blksnap-save-"), e.jobId());
            assertTrue(e.getMessage().contains(vm.qmpSocket().toString()), e.getMessage());
            assertEquals(List.of(), jobs(qmp), "the failed job was dismissed");
        }
        assertEquals(List.of("vm1"), Qemu.snapshotNames(a));
    }

    private static Map<String, Object> save(String tag) {
        return Map.of("job-id", QmpJob.newId("save"), "tag", tag, "vmstate", "d0", "devices", List.of("d0"));
    }

    @Test
    void aRefusedStartCommandThrowsAsQemuSaidIt() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", a.toString(), "8M").ok();
        try (QemuVm vm = QemuVm.start(dir.resolve("qmp.sock"), Map.of("d0", a));
             QmpClient qmp = QmpClient.connect(vm.qmpSocket(), T)) {
            QmpException e = assertThrows(QmpException.class, () -> QmpJob.run(qmp, "block-commit",
                    Map.of("job-id", QmpJob.newId("commit"), "device", "nope"), JobOptions.of(T)));
            assertFalse(e instanceof QmpJobException, e.toString());
            assertEquals("DeviceNotFound", e.errorClass());
            assertTrue(e.getMessage().contains("nope"), e.getMessage());
            assertEquals(List.of(), jobs(qmp));
            assertThrows(IllegalArgumentException.class,
                    () -> QmpJob.run(qmp, "block-commit", Map.of("device", "d0"), JobOptions.of(T)));
        }
    }

    @Test
    void eventsSentBeforeTheStartCommandsReturnAreFollowed() throws Exception {
        Path sock = dir.resolve("fake.sock");
        List<String> received = new ArrayList<>();
        try (FakeQmpServer fake = new FakeQmpServer(sock, (n, in, out) -> {
            FakeQmpServer.send(out, FakeQmpServer.GREETING);
            String line;
            boolean dismissed = false;
            while ((line = in.readLine()) != null) {
                synchronized (received) {
                    received.add(line);
                }
                // the command's id is the last one: job-complete also has the job's "id" in its arguments
                String id = line.substring(line.lastIndexOf("\"id\":\"") + 6, line.lastIndexOf('"'));
                if (line.contains("\"block-commit\"")) {
                    // the whole life of the job, ready included, before the command's return
                    for (String s : List.of("created", "running", "ready")) {
                        FakeQmpServer.send(out, status("j1", s));
                    }
                    FakeQmpServer.send(out, "{\"return\":{},\"id\":\"" + id + "\"}");
                } else if (line.contains("\"job-complete\"")) {
                    for (String s : List.of("waiting", "pending", "concluded")) {
                        FakeQmpServer.send(out, status("j1", s));
                    }
                    FakeQmpServer.send(out, "{\"return\":{},\"id\":\"" + id + "\"}");
                } else if (line.contains("\"query-jobs\"")) {
                    FakeQmpServer.send(out, "{\"return\":" + (dismissed ? "[]" : "[{\"current-progress\":7,"
                            + "\"status\":\"concluded\",\"total-progress\":7,\"type\":\"commit\",\"id\":\"j1\"}]")
                            + ",\"id\":\"" + id + "\"}");
                } else {
                    dismissed |= line.contains("\"job-dismiss\"");
                    FakeQmpServer.send(out, "{\"return\":{},\"id\":\"" + id + "\"}");
                }
            }
        }); QmpClient qmp = QmpClient.connect(sock, T)) {
            JobResult r = QmpJob.run(qmp, "block-commit", Map.of("job-id", "j1", "device", "o0"),
                    JobOptions.of(T).completingWhenReady());
            assertEquals(new JobResult("j1", "commit", 7, 7, r.elapsed()), r);
            synchronized (received) {
                List<String> commands = received.stream().map(l -> l.replaceAll(".*\"execute\":\"([^\"]+)\".*", "$1"))
                        .toList();
                assertEquals(List.of("qmp_capabilities", "block-commit", "job-complete", "query-jobs", "job-dismiss"),
                        commands);
            }
        }
    }

    private static String status(String id, String status) {
        return "{\"timestamp\":{\"seconds\":1,\"microseconds\":2},\"event\":\"JOB_STATUS_CHANGE\","
                + "\"data\":{\"status\":\"" + status + "\",\"id\":\"" + id + "\"}}";
    }
}
