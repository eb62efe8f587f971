package io.blksnap.bench;

import io.blksnap.testing.Qemu;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the benchmark's setup asks of qemu-img beyond {@link Qemu}: how many clusters an image holds. */
final class Checks {

    private static final Pattern ALLOCATED = Pattern.compile("(\\d+)/(\\d+) = [0-9.]+% allocated");

    /** Allocated and total clusters of a clean image, as {@code qemu-img check} counts them. */
    record Allocation(long allocated, long total) {
    }

    private Checks() {
    }

    /** Fails unless {@code qemu-img check} finds the image clean; returns its cluster counts. */
    static Allocation clean(Path img) throws IOException, InterruptedException {
        Qemu.Result r = Qemu.check(img);
        if (r.exit() != 0) {
            throw new BenchException("qemu-img check of " + img + " exited " + r.exit() + ":\n" + r.out() + r.err());
        }
        Matcher m = ALLOCATED.matcher(r.out());
        if (!m.find()) {
            throw new BenchException("qemu-img check of " + img + " printed no allocation line:\n" + r.out());
        }
        return new Allocation(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }
}
