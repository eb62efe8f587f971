package io.blksnap.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real QEMU tools, our oracle. A missing tool skips the test loudly, except under CI=true
 * where it fails: CI must prove the engine against QEMU, not silently skip.
 */
public final class Qemu {

    /** Output and exit code of one tool run. */
    public record Result(int exit, String out, String err) {
        public Result ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
            }
            return this;
        }
    }

    private Qemu() {
    }

    /** Requires {@code tool} on the PATH: a loud skip locally, a failure under CI=true. */
    public static void require(String tool) {
        if (find(tool) != null) {
            return;
        }
        String msg = tool + " is not installed (apt-get install qemu-utils qemu-system-x86)";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true but " + msg);
        }
        System.err.println("SKIPPED: " + msg);
        Assumptions.abort(msg);
    }

    private static Path find(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    public static Result run(String... cmd) throws IOException, InterruptedException {
        require(cmd[0]);
        return exec(cmd);
    }

    /** Runs any command (a system tool, not QEMU's), capturing its output. */
    public static Result exec(String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("qemu-out", ".txt");
        Path err = Files.createTempFile("qemu-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + Arrays.toString(cmd));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public static Result img(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("qemu-img");
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** Runs qemu-io commands against a qcow2 image, failing on any error. */
    public static void io(Path image, String... commands) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(image.toString());
        Result r = run(cmd.toArray(String[]::new)).ok();
        if (r.out().contains("error") || r.out().contains("failed") || r.err().contains("error")) {
            throw new AssertionError("qemu-io reported a problem: " + r.out() + r.err());
        }
    }

    /** {@code qemu-img check} as JSON-less exit code plus its text; 0 clean, 2 corrupt, 3 leaks. */
    public static Result check(Path image) throws IOException, InterruptedException {
        return img("check", "-f", "qcow2", image.toString());
    }

    public static void assertClean(Path image) throws IOException, InterruptedException {
        Result r = check(image);
        if (r.exit() != 0) {
            throw new AssertionError("qemu-img check of " + image + " exited " + r.exit() + ":\n" + r.out() + r.err());
        }
    }

    /** Snapshot names as {@code qemu-img snapshot -l} lists them, in table order. */
    public static List<String> snapshotNames(Path image) throws IOException, InterruptedException {
        Result r = img("snapshot", "-l", "-U", image.toString()).ok();
        List<String> names = new ArrayList<>();
        boolean table = false;
        for (String line : r.out().split("\n")) {
            if (line.startsWith("ID")) {
                table = true;
                continue;
            }
            if (table && !line.isBlank()) {
                names.add(line.trim().split("\\s+")[1]);
            }
        }
        return names;
    }

    /** {@code vm-state-size} of each snapshot of an image, by name, as qemu-img reads the file. */
    public static Map<String, Long> vmStateSizes(Path image) throws IOException, InterruptedException {
        com.fasterxml.jackson.databind.JsonNode info = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                img("info", "--output=json", "-U", image.toString()).ok().out());
        Map<String, Long> sizes = new java.util.LinkedHashMap<>();
        for (com.fasterxml.jackson.databind.JsonNode s : info.path("snapshots")) {
            sizes.put(s.path("name").asText(), s.path("vm-state-size").asLong());
        }
        return sizes;
    }

    /** The guest-visible bytes of {@code image} (or of one of its snapshots) as a raw file. */
    public static Path toRaw(Path image, String snapshot, Path dir) throws IOException, InterruptedException {
        Path raw = Files.createTempFile(dir, "raw", ".img");
        Files.delete(raw);
        List<String> cmd = new ArrayList<>(List.of("qemu-img", "convert", "-U", "-f", "qcow2", "-O", "raw"));
        if (snapshot != null) {
            cmd.add("-l");
            cmd.add("snapshot.name=" + snapshot);
        }
        cmd.add(image.toString());
        cmd.add(raw.toString());
        run(cmd.toArray(String[]::new)).ok();
        return raw;
    }
}
