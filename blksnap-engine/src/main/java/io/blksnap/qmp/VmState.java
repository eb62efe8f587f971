package io.blksnap.qmp;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Snapshots with the VM's memory and device state (the seed's {@code vm_state_size} and
 * {@code vm_clock_nsec}): QEMU's {@code snapshot-save}, {@code snapshot-load} and
 * {@code snapshot-delete} jobs, run by {@link QmpJob}. The disk part is an internal snapshot named
 * {@code tag} on every node in {@code nodes}; the state is stored in {@code vmstateNode}, which must
 * be one of them.
 *
 * <p>QEMU answers these commands with {@code {}} even when they fail; the failure is the concluded
 * job's error ({@link QmpJobException}). A failed load leaves the VM stopped, so a VM that was
 * running before is resumed whatever happened; a VM that was paused stays paused.
 */
public final class VmState {

    private VmState() {
    }

    /** Saves the VM's state into {@code vmstateNode} and snapshots every node in {@code nodes} as {@code tag}. */
    public static JobResult save(QmpClient qmp, String tag, String vmstateNode, List<String> nodes, Duration timeout)
            throws QmpException {
        return run(qmp, "snapshot-save", "save", tag, vmstateNode, nodes, timeout);
    }

    /** Reverts every node in {@code nodes} to {@code tag} and loads the VM's state saved with it. */
    public static JobResult load(QmpClient qmp, String tag, String vmstateNode, List<String> nodes, Duration timeout)
            throws QmpException {
        return run(qmp, "snapshot-load", "load", tag, vmstateNode, nodes, timeout);
    }

    /** Deletes {@code tag} from every node in {@code nodes}; QEMU counts a tag that is not there as deleted. */
    public static JobResult delete(QmpClient qmp, String tag, List<String> nodes, Duration timeout)
            throws QmpException {
        return run(qmp, "snapshot-delete", "delete", tag, null, nodes, timeout);
    }

    private static JobResult run(QmpClient qmp, String command, String purpose, String tag, String vmstateNode,
                                 List<String> nodes, Duration timeout) throws QmpException {
        if (tag == null || tag.isEmpty() || nodes == null || nodes.isEmpty()) {
            throw new IllegalArgumentException(command + " needs a tag and at least one node");
        }
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("job-id", QmpJob.newId(purpose));
        args.put("tag", tag);
        if (!purpose.equals("delete")) {
            if (!nodes.contains(vmstateNode)) {
                throw new IllegalArgumentException("the VM state goes to one of the snapshot's nodes " + nodes
                        + ", not to " + vmstateNode);
            }
            args.put("vmstate", vmstateNode);
        }
        args.put("devices", List.copyOf(nodes));
        LiveVm vm = new LiveVm(qmp);
        boolean wasRunning = vm.isRunning();
        JobResult result;
        try {
            result = QmpJob.run(qmp, command, args, JobOptions.of(timeout));
        } catch (QmpException e) {
            if (qmp.isConnected()) {
                try {
                    resume(vm, wasRunning, timeout);
                } catch (QmpException again) {
                    e.addSuppressed(again);
                }
            }
            throw e;
        }
        resume(vm, wasRunning, timeout);
        return result;
    }

    /** Resumes a VM that ran before the job and is stopped now (a failed load stops it for good). */
    private static void resume(LiveVm vm, boolean wasRunning, Duration timeout) throws QmpException {
        if (wasRunning && !vm.isRunning()) {
            vm.qmp().execute("cont", null, timeout);
        }
    }
}
