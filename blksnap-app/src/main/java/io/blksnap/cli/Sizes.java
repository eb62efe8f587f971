package io.blksnap.cli;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as qemu-img reads and writes them: 1024-based suffixes. */
final class Sizes {

    private static final String SUFFIXES = "bkmgtpe";
    private static final String[] UNITS = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private Sizes() {
    }

    /** Compiled on first parse: {@link #human} (snapshot -l) does not need it. */
    private static final class Grammar {
        static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([bBkKmMgGtTpPeE]?)");
    }

    /**
     * Parses {@code 1G}, {@code 64k}, {@code 1.5M}, {@code 4096}... (b bytes, k KiB, M MiB, G GiB, T TiB,
     * P PiB, E EiB; case does not matter). A fraction is only allowed with a suffix above bytes;
     * the result is truncated to whole bytes, as qemu-img does.
     */
    static long parse(String text) {
        Matcher m = Grammar.SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size \"" + text
                    + "\" (a number of bytes, optionally with a k, M, G, T, P or E suffix)");
        }
        int exp = m.group(2).isEmpty() ? 0 : SUFFIXES.indexOf(m.group(2).toLowerCase(Locale.ROOT));
        BigDecimal value = new BigDecimal(m.group(1));
        if (exp == 0 && value.scale() > 0) {
            throw new IllegalArgumentException("invalid size \"" + text + "\" (fractions need a k, M, G... suffix)");
        }
        BigDecimal bytes = value.multiply(BigDecimal.valueOf(2).pow(10 * exp));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large");
        }
        return bytes.longValue();
    }

    /** As QEMU's size_to_str: three significant digits and a binary unit, e.g. {@code 1 GiB}, {@code 1.5 MiB}. */
    static String human(long bytes) {
        double v = bytes;
        int i = 0;
        // switch to the next unit once the integer part would reach 1000
        while (i < UNITS.length - 1 && v >= 1000) {
            v /= 1024;
            i++;
        }
        return formatG3(v) + " " + UNITS[i] + "B";
    }

    /** C's {@code %0.3g} for the values {@link #human} produces (0 <= v < 1000). */
    private static String formatG3(double v) {
        if (v == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }
}
