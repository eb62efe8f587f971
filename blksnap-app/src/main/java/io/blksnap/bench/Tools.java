package io.blksnap.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the QEMU tools as child processes (one process per call, as a shell loop would). */
final class Tools {

    /** What one run of a tool printed, and its exit code. */
    record Result(List<String> cmd, int exit, String out, String err) {
        Result ok() {
            if (exit != 0) {
                throw new BenchException(String.join(" ", cmd) + " exited " + exit + "\n" + out + err);
            }
            return this;
        }
    }

    private Tools() {
    }

    /**
     * The timed path: spawn, wait, fail on a non-zero exit. Stdout is discarded; stderr is read
     * only to explain a failure (qemu-img snapshot prints nothing when it succeeds).
     */
    static void runQuiet(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] err;
        try (InputStream in = p.getErrorStream()) {
            err = in.readAllBytes();
        }
        int exit = p.waitFor();
        if (exit != 0) {
            throw new BenchException(String.join(" ", cmd) + " exited " + exit + ": "
                    + new String(err, StandardCharsets.UTF_8).trim());
        }
    }

    /** Runs a tool and captures both streams (setup and verification, never timed). */
    static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        String out = drain(p.getInputStream());
        int exit = p.waitFor();
        return new Result(List.of(cmd), exit, out, err.join());
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BenchException("cannot read a child's output: " + e);
        }
    }

    static void qemuImgCreate(Path img, String size) throws IOException, InterruptedException {
        run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), size).ok();
    }

    /** Runs qemu-io commands on an image and fails on any error it reports. */
    static void qemuIo(Path img, String... commands) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(img.toString());
        Result r = run(cmd.toArray(String[]::new)).ok();
        String all = r.out() + r.err();
        if (all.contains("error") || all.contains("failed")) {
            throw new BenchException("qemu-io reported a problem on " + img + ": " + all);
        }
    }

    /** What {@code qemu-img check} said about an image. */
    record Check(int exit, long allocated, long total, String text) {
        boolean clean() {
            return exit == 0 && text.contains("No errors were found on the image.");
        }
    }

    private static final Pattern ALLOCATED = Pattern.compile("(\\d+)/(\\d+) = [0-9.]+% allocated");

    static Check check(Path img) throws IOException, InterruptedException {
        Result r = run("qemu-img", "check", "-f", "qcow2", img.toString());
        Matcher m = ALLOCATED.matcher(r.out());
        long allocated = -1;
        long total = -1;
        if (m.find()) {
            allocated = Long.parseLong(m.group(1));
            total = Long.parseLong(m.group(2));
        }
        return new Check(r.exit(), allocated, total, (r.out() + r.err()).trim());
    }

    static Check requireClean(Path img) throws IOException, InterruptedException {
        Check c = check(img);
        if (!c.clean()) {
            throw new BenchException("qemu-img check of " + img + " exited " + c.exit() + ":\n" + c.text());
        }
        return c;
    }

    /** Fails unless {@code qemu-img map} reports every byte of the image as allocated, non-zero data. */
    static void requireAllData(Path img) throws IOException, InterruptedException {
        Result r = run("qemu-img", "map", "--output=json", "-f", "qcow2", img.toString()).ok();
        for (String line : r.out().split("\n")) {
            if (line.contains("\"start\"") && !(line.contains("\"data\": true") && line.contains("\"zero\": false"))) {
                throw new BenchException("qemu-img map shows a hole or zero range in " + img + ": " + line.trim());
            }
        }
    }

    /** Snapshot names in table order, as {@code qemu-img snapshot -l} lists them. */
    static List<String> snapshotNames(Path img) throws IOException, InterruptedException {
        Result r = run("qemu-img", "snapshot", "-l", img.toString()).ok();
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

    static void requireTools() throws IOException, InterruptedException {
        for (String tool : new String[] {"qemu-img", "qemu-io"}) {
            try {
                run(tool, "--version").ok();
            } catch (IOException e) {
                throw new BenchException(tool + " is not installed (apt-get install qemu-utils)");
            }
        }
    }
}
