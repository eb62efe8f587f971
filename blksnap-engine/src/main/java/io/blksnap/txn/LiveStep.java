package io.blksnap.txn;

import io.blksnap.qmp.GuestAgent;
import io.blksnap.qmp.LiveVm;
import io.blksnap.qmp.QmpClient;
import io.blksnap.qmp.QmpException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The runner's one hook around the prepare, for disks of running VMs. Once every member is
 * prepared (offline changes written, live snapshots staged), {@link #run} records durably which
 * VMs it will pause and which guests it will freeze, freezes those guests, pauses those VMs, and
 * sends each VM's one QMP transaction. {@link #release} resumes and thaws them: the runner calls
 * it once the outcome is final (after the commit record, the commits and the pivot; or after the
 * aborts), and again in a finally, so that no guest runs on a snapshot that could still be rolled
 * back and none is left paused or frozen.
 */
final class LiveStep {

    /** The longest a guest agent may take to freeze or thaw the guest's file systems. */
    static final Duration FREEZE_TIMEOUT = Duration.ofSeconds(10);

    /** Why a VM's part failed: the VM and the cause. */
    record Failure(VmSession vm, IOException cause) {
    }

    private final Devices devices;
    private List<VmSession> vms = List.of();
    private final Journal.Log log;
    private final FaultInjector faults;
    private final ExecutorService pool;
    // filled by the VMs' tasks at once; read in VM order
    private final Map<VmSession, LiveVm.Pause> pauses = new ConcurrentHashMap<>();
    private final Map<VmSession, GuestAgent> agents = new ConcurrentHashMap<>();
    private final Map<VmSession, Boolean> frozen = new ConcurrentHashMap<>();
    private final Map<VmSession, List<String>> problems = new ConcurrentHashMap<>();
    private boolean released;

    LiveStep(Devices devices, Journal.Log log, FaultInjector faults, ExecutorService pool) {
        this.devices = devices;
        this.pool = pool;
        this.log = log;
        this.faults = faults;
    }

    /** Whether the transaction pauses any VM. */
    boolean any() {
        return !vms.isEmpty();
    }

    /** Freezes, pauses and snapshots every VM; null when every VM's transaction made all of its snapshots. */
    Failure run() {
        for (VmSession vm : devices.vms()) {
            try {
                vm.checkLoads();
            } catch (IOException e) {
                return new Failure(vm, e);
            }
        }
        // the VMs with snapshots staged: one with only deletions is never paused (QMP deletes alone)
        vms = devices.vms().stream().filter(VmSession::hasStaged).toList();
        if (vms.isEmpty()) {
            return null;
        }
        VmSession at = vms.get(0);
        try {
            // Asked before the record, so a VM its operator paused is never in recovery's list to resume.
            Map<VmSession, Boolean> running = new LinkedHashMap<>();
            for (VmSession vm : vms) {
                at = vm;
                running.put(vm, vm.vm().isRunning());
            }
            List<String> toResume = new ArrayList<>();
            List<String> toThaw = new ArrayList<>();
            running.forEach((vm, r) -> {
                if (r) {
                    toResume.add(vm.socket().toString());
                    if (vm.guestAgentSocket() != null) {
                        toThaw.add(vm.guestAgentSocket().toString());
                    }
                }
            });
            log.append(JournalRecord.live(toResume, toThaw), true);
            faults.at("live");
            // Each step runs on every VM at once, so a VM's pause window holds no other VM's work.
            eachVm((i, vm) -> {
                if (running.get(vm) && vm.guestAgentSocket() != null) {
                    freeze(vm); // a paused guest cannot answer its agent: only running ones are frozen
                }
            });
            Failure f = eachVm((i, vm) -> pauses.put(vm, vm.vm().pause(VmSession.TIMEOUT)));
            if (f != null) {
                return f;
            }
            faults.at("paused");
            return eachVm((i, vm) -> {
                vm.runTransaction();
                faults.at("vm:" + i);
            });
        } catch (IOException e) {
            return new Failure(at, e);
        }
    }

    private interface VmWork {
        void run(int index, VmSession vm) throws IOException;
    }

    /** Runs {@code work} for every VM at once and waits for all; the first VM's failure, in VM order, or null. */
    private Failure eachVm(VmWork work) {
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < vms.size(); i++) {
            int index = i;
            VmSession vm = vms.get(i);
            futures.add(pool.submit(() -> {
                work.run(index, vm);
                return null;
            }));
        }
        Failure first = null;
        for (int i = 0; i < vms.size(); i++) {
            try {
                futures.get(i).get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = new Failure(vms.get(i), e.getCause() instanceof IOException io ? io
                            : new IOException(Member.message(e.getCause()), e.getCause()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (first == null) {
                    first = new Failure(vms.get(i), new IOException("interrupted", e));
                }
            }
        }
        return first;
    }

    /** A failed freeze does not fail the snapshot (it is then crash-consistent): the result says so. */
    private void freeze(VmSession vm) {
        try {
            GuestAgent a = GuestAgent.connect(vm.guestAgentSocket());
            agents.put(vm, a); // thawed in any case: a freeze that timed out may still have happened
            a.freeze(FREEZE_TIMEOUT);
            frozen.put(vm, true);
        } catch (QmpException e) {
            problem(vm, "freeze failed: " + e.getMessage());
        }
    }

    private void problem(VmSession vm, String what) {
        problems.computeIfAbsent(vm, v -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(what);
    }

    /** Resumes every VM this step paused and thaws every guest it froze; only the first call acts. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        eachVm((i, vm) -> {
            LiveVm.Pause p = pauses.get(vm);
            if (p != null) {
                try {
                    p.close();
                } catch (QmpException e) {
                    problem(vm, "resume failed: " + e.getMessage());
                }
            }
            GuestAgent agent = agents.get(vm);
            if (agent != null) {
                try (agent) {
                    agent.thaw(FREEZE_TIMEOUT);
                } catch (QmpException e) {
                    problem(vm, "thaw failed: " + e.getMessage());
                }
            }
        });
    }

    /** Each VM's pause window and freeze, for the result. */
    List<VmOutcome> outcomes() {
        List<VmOutcome> out = new ArrayList<>();
        for (VmSession vm : vms) {
            LiveVm.Pause p = pauses.get(vm);
            List<String> ps = problems.get(vm);
            out.add(new VmOutcome(vm.socket().toString(), p != null && p.stoppedIt(),
                    p != null && p.stoppedIt() ? p.millis() : 0, vm.guestAgentSocket() != null,
                    frozen.getOrDefault(vm, false), ps == null ? null : String.join("; ", ps)));
        }
        return out;
    }

    /**
     * Recovery: resumes the VMs and thaws the guests a dead transaction's {@code live} record names
     * (resuming a running VM changes nothing). A VM that does not answer throws, naming its socket.
     */
    static void resume(JournalRecord live) throws IOException {
        List<String> failed = new ArrayList<>();
        for (String socket : live.paused()) {
            try (QmpClient qmp = VmSession.connect(Path.of(socket))) {
                qmp.execute("cont");
            } catch (QmpException e) {
                failed.add("VM " + socket + " could not be resumed: " + e.getMessage());
            }
        }
        for (String socket : live.frozen()) {
            try (GuestAgent a = GuestAgent.connect(Path.of(socket))) {
                a.thaw(FREEZE_TIMEOUT);
            } catch (QmpException e) {
                failed.add("guest agent " + socket + " could not thaw: " + e.getMessage());
            }
        }
        if (!failed.isEmpty()) {
            throw new IOException(String.join("; ", failed));
        }
    }
}
