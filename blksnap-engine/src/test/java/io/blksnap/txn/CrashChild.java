package io.blksnap.txn;

import io.blksnap.group.OverlayNaming;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.registry.DeviceRegistry;
import io.blksnap.storage.Storage;
import io.blksnap.testing.GroupFixture;
import io.blksnap.testing.WriteHookStorage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The process {@link TransactionCrashTest} kills: opens the engine (which recovers) on
 * the {@link GroupFixture} in {@code <dir>}, group "g", and then
 * <ul>
 *   <li>{@code loop RUN}: runs group transactions until it is killed: an internal snapshot
 *       {@code rRUN-I} on every device, the deletion of every older snapshot of the active
 *       layer, and every other round an external snapshot of every device (up to 6 overlays
 *       deep);</li>
 *   <li>{@code once SHAPE HALT [FAIL_AT]}: runs one transaction of {@code SHAPE} (see
 *       {@link #requests}), failing with an IOException at point {@code FAIL_AT} if given;</li>
 *   <li>{@code recover HALT}: only opens the engine, so only recovery runs.</li>
 * </ul>
 * {@code HALT} is {@code none}, {@code point:K} or {@code write:K}: the process halts
 * ({@code Runtime.halt(137)}, as abrupt as SIGKILL) at the K-th fault point, or instead of the
 * K-th image write (K from 1, counted over recovery and the transaction alike). Every fault point
 * is printed as {@code point K NAME WRITES_SO_FAR} before the halt decision.
 */
public final class CrashChild {

    private CrashChild() {
    }

    static final class Halting implements FaultInjector {
        private final int haltPoint;
        private final int haltWrite;
        private final String failAt;
        private final AtomicInteger points = new AtomicInteger();
        private final AtomicInteger writes = new AtomicInteger();

        Halting(String halt, String failAt) {
            String[] h = halt.split(":");
            this.haltPoint = h[0].equals("point") ? Integer.parseInt(h[1]) : -1;
            this.haltWrite = h[0].equals("write") ? Integer.parseInt(h[1]) : -1;
            this.failAt = failAt;
        }

        @Override
        public void at(String point) throws IOException {
            int k = points.incrementAndGet();
            System.out.println("point " + k + " " + point + " " + writes.get());
            if (k == haltPoint) {
                halt();
            }
            if (point.equals(failAt)) {
                throw new IOException("injected failure at " + point);
            }
        }

        @Override
        public Storage wrap(Storage s) {
            return new WriteHookStorage(s, (offset, data) -> {
                if (writes.incrementAndGet() == haltWrite) {
                    halt();
                }
            });
        }

        void summary() {
            System.out.println("points=" + points.get() + " writes=" + writes.get());
        }
    }

    /**
     * Runs a child on {@code dir} with {@code args} (e.g. {@code once create point:3}) that must
     * halt, from a test; its output.
     */
    static String runHalting(Path dir, String... args) throws IOException, InterruptedException {
        return run(dir, 137, args);
    }

    /** Runs a child on {@code dir} with {@code args} that must exit with {@code exit} (137: halted); its output. */
    static String run(Path dir, int exit, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                dir.toString()));
        cmd.addAll(List.of(args));
        Path log = dir.resolve("child.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child did not halt within 120 s: " + Files.readString(log));
        }
        if (p.exitValue() != exit) {
            throw new AssertionError("the child exited " + p.exitValue() + ", not " + exit + ": " + Files.readString(log));
        }
        return Files.readString(log);
    }

    static void halt() {
        System.out.flush();
        Runtime.getRuntime().halt(137);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String command = args[1];
        Halting faults = new Halting(command.equals("loop") ? "none" : args[command.equals("once") ? 3 : 2],
                command.equals("once") && args.length > 4 ? args[4] : "");
        DeviceRegistry registry = GroupFixture.load(dir);
        EngineOptions options = EngineOptions.defaults().withFaults(faults);
        if (!command.equals("loop")) {
            options = options.withParallelism(1); // the same order of points and writes in every run
        }
        System.out.println("opening");
        try (SnapshotEngine engine = SnapshotEngine.open(registry, options)) {
            if (!engine.startupRecovery().pending().isEmpty()) {
                System.out.println("recovery left " + engine.startupRecovery().pending());
                System.exit(3);
            }
            System.out.println("ready");
            switch (command) {
                case "loop" -> loop(engine, dir, Integer.parseInt(args[2]));
                case "once" -> {
                    Transaction t = engine.begin();
                    requests(registry, args[2]).forEach(r -> add(t, r));
                    TransactionResult r = t.submit();
                    System.out.println("result " + r.status() + " " + r.reason());
                }
                case "recover" -> {
                    // opening the engine was the recovery
                }
                default -> throw new IllegalArgumentException(command);
            }
        }
        faults.summary();
        System.exit(0);
    }

    private static void add(Transaction t, SnapshotRequest r) {
        try {
            t.add(r);
        } catch (InvalidRequestException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code mixed}: per device in turn an internal snapshot "new", the deletion of "old", an
     * overlay "new.qcow2"; {@code create}, {@code delete}, {@code external}: that on every device;
     * {@code extdelete:NAME}, {@code extapply:NAME}: deleting or reverting to external point NAME on every device.
     */
    static List<SnapshotRequest> requests(DeviceRegistry registry, String shape) throws IOException {
        List<SnapshotRequest> out = new ArrayList<>();
        List<String> devices = registry.group("g").stream().map(d -> d.name()).toList();
        if (shape.startsWith("extdelete:") || shape.startsWith("extapply:")) { // not "external": a point NAME on every device
            String[] op = shape.split(":");
            for (String d : devices) {
                Path overlay = OverlayNaming.overlayFor(registry.device(d), op[1]);
                out.add(op[0].equals("extdelete") ? ExternalSnapshotRequest.delete(d, overlay)
                        : ExternalSnapshotRequest.apply(d, overlay));
            }
            return out;
        }
        for (int i = 0; i < devices.size(); i++) {
            String d = devices.get(i);
            String kind = shape.equals("mixed") ? List.of("create", "delete", "external").get(i % 3) : shape;
            out.add(switch (kind) {
                case "create" -> InternalSnapshotRequest.create(d, "new", Instant.now());
                case "delete" -> InternalSnapshotRequest.delete(d, "old");
                default -> ExternalSnapshotRequest.create(d,
                        registry.device(d).overlayDir().resolve("new.qcow2").toAbsolutePath().normalize());
            });
        }
        return out;
    }

    private static void loop(SnapshotEngine engine, Path dir, int run) throws IOException {
        DeviceRegistry registry = engine.registry();
        List<String> devices = registry.group("g").stream().map(d -> d.name()).toList();
        for (int i = 0; ; i++) {
            String name = "r" + run + "-" + i;
            Transaction create = engine.begin();
            for (String d : devices) {
                add(create, InternalSnapshotRequest.create(d, name, Instant.now()));
            }
            committed(create.submit(), "create " + name);
            List<String> older = new ArrayList<>();
            try (Qcow2Image img = Qcow2Image.open(registry.activeImage(devices.get(0)))) {
                for (Snapshot s : img.snapshots()) {
                    if (!s.name().equals(name)) {
                        older.add(s.name());
                    }
                }
            }
            for (String old : older) {
                Transaction delete = engine.begin();
                for (String d : devices) {
                    add(delete, InternalSnapshotRequest.delete(d, old));
                }
                committed(delete.submit(), "delete " + old);
            }
            if (i % 2 == 0 && overlays(registry.device(devices.get(0)).overlayDir()) < 6) {
                Transaction external = engine.begin();
                for (String d : devices) {
                    add(external, ExternalSnapshotRequest.create(d,
                            registry.device(d).overlayDir().resolve(name + ".qcow2").toAbsolutePath().normalize()));
                }
                committed(external.submit(), "external " + name);
            }
        }
    }

    private static long overlays(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private static void committed(TransactionResult r, String what) {
        if (r.status() != TransactionStatus.COMMITTED) {
            System.out.println("FAILED " + what + ": " + r.status() + " " + r.reason());
            System.exit(2);
        }
        System.out.println("committed " + what);
    }
}
