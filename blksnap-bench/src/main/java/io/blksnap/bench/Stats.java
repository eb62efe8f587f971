package io.blksnap.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Medians and sample lists. */
final class Stats {

    private Stats() {
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            throw new BenchException("no samples");
        }
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static String list(List<Double> xs) {
        return xs.stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).collect(Collectors.joining(" "));
    }
}
