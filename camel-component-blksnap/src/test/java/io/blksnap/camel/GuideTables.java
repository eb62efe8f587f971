package io.blksnap.camel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The tables of the component guide (src/main/docs/blksnap-component.adoc), read as its readers see them. */
final class GuideTables {

    static final Path GUIDE = Path.of("src/main/docs/blksnap-component.adoc");
    private static final Pattern COLS = Pattern.compile("cols=\"([^\"]*)\"");

    private GuideTables() {
    }

    static String guide() throws Exception {
        return Files.readString(GUIDE);
    }

    static String normalize(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    /** The first column without its backticks. */
    static String name(String cell) {
        return cell.replace("`", "");
    }

    /**
     * The rows (without the header row) of the {@code n}th table (from 0) after the section heading, keyed by their
     * first cell; every cell whitespace-normalized.
     */
    static Map<String, List<String>> table(String heading, int n) throws Exception {
        String doc = guide();
        int at = doc.indexOf("\n" + heading + "\n");
        if (at < 0) {
            throw new AssertionError("the guide has no section " + heading);
        }
        for (int i = 0; i <= 2 * n; i++) { // each table opens and closes with |===
            at = doc.indexOf("\n|===\n", at + 1);
        }
        int attributes = doc.lastIndexOf("\n[", at);
        Matcher cols = COLS.matcher(doc.substring(attributes, at));
        if (!cols.find()) {
            throw new AssertionError("table " + n + " of " + heading + " has no cols attribute");
        }
        int columns = cols.group(1).split(",").length;
        int end = doc.indexOf("\n|===\n", at + 1);
        String body = doc.substring(at + "\n|===\n".length(), end);
        String[] cells = body.split("\\|", -1);
        List<String> flat = new ArrayList<>();
        for (int i = 1; i < cells.length; i++) { // cells[0] is what precedes the first '|'
            flat.add(normalize(cells[i]));
        }
        if (flat.size() % columns != 0) {
            throw new AssertionError(heading + ": " + flat.size() + " cells do not fill rows of " + columns);
        }
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (int i = columns; i < flat.size(); i += columns) { // the first row is the header
            rows.put(name(flat.get(i)), flat.subList(i, i + columns));
        }
        return rows;
    }
}
