package io.blksnap.camel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static io.blksnap.camel.GuideTables.guide;
import static io.blksnap.camel.GuideTables.normalize;
import static io.blksnap.camel.GuideTables.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guide's option and header tables say what the generated component JSON says, word for word, so neither
 * can drift from the other (nor from the code the JSON is generated from).
 */
class GuideTablesTest {

    /** Camel's own options: named by the guide, described by Camel. */
    static final Set<String> CAMEL_STANDARD = Set.of("autowiredEnabled", "bridgeErrorHandler", "exceptionHandler",
            "exchangePattern", "lazyStartProducer");

    static JsonNode json() throws Exception {
        Path json = Path.of("src/generated/resources/META-INF/io/blksnap/camel/blksnap.json");
        return new ObjectMapper().readTree(json.toFile());
    }

    private static String defaultOf(JsonNode option) {
        JsonNode d = option.get("defaultValue");
        return d == null || d.isNull() ? "" : d.asText();
    }

    private static void assertSameOptions(Map<String, List<String>> table, JsonNode options, Set<String> names) {
        assertEquals(new TreeSet<>(names), new TreeSet<>(table.keySet()), "the options the guide lists");
        for (String name : names) {
            List<String> row = table.get(name);
            JsonNode o = options.get(name);
            assertEquals(defaultOf(o), GuideTables.name(row.get(1)), "default of " + name);
            assertEquals(normalize(o.get("description").asText()), row.get(2), "description of " + name);
        }
    }

    @Test
    void theEndpointOptionTableIsTheJson() throws Exception {
        JsonNode properties = json().get("properties");
        Set<String> names = new LinkedHashSet<>();
        properties.fieldNames().forEachRemaining(names::add);
        names.removeAll(CAMEL_STANDARD);
        assertSameOptions(table("== Options", 1), properties, names);
    }

    @Test
    void theComponentOptionTableIsTheJson() throws Exception {
        JsonNode properties = json().get("componentProperties");
        Set<String> names = new LinkedHashSet<>();
        properties.fields().forEachRemaining(e -> {
            // the endpoint options a component carries as defaults are the endpoint table's
            if (!e.getValue().path("configurationField").isTextual()) {
                names.add(e.getKey());
            }
        });
        names.removeAll(CAMEL_STANDARD);
        assertEquals(Set.of("engine", "configFile", "baseDir", "configuration"), names);
        assertSameOptions(table("== Options", 0), properties, names);
    }

    @Test
    void camelsStandardOptionsAreNamed() throws Exception {
        String options = guide().substring(guide().indexOf("== Options"), guide().indexOf("== Message headers"));
        for (String name : CAMEL_STANDARD) {
            assertTrue(options.contains("`" + name + "`"), name);
        }
    }

    @Test
    void theHeaderTableIsTheJson() throws Exception {
        JsonNode headers = json().get("headers");
        Map<String, List<String>> table = table("== Message headers", 0);
        Set<String> names = new TreeSet<>();
        headers.fieldNames().forEachRemaining(names::add);
        assertEquals(names, new TreeSet<>(table.keySet()));
        for (String name : names) {
            List<String> row = table.get(name);
            assertEquals(headers.get(name).get("javaType").asText(), GuideTables.name(row.get(1)), "type of " + name);
            assertEquals(normalize(headers.get(name).get("description").asText()), row.get(2), name);
        }
    }

    @Test
    void undoIsDescribedOnceAndTheSameInTheGuideAndTheJson() throws Exception {
        Set<String> inJson = new TreeSet<>();
        JsonNode root = json();
        for (String section : List.of("componentProperties", "properties", "headers")) {
            root.get(section).forEach(o -> {
                if (o.path("description").asText().contains("idempotent")) {
                    inJson.add(normalize(o.get("description").asText()));
                }
            });
        }
        assertEquals(1, inJson.size(), "one description of undo's semantics in the JSON: " + inJson);
        String guide = normalize(guide());
        String undo = inJson.iterator().next();
        assertEquals(guide.indexOf(undo), guide.lastIndexOf(undo), "stated once in the guide");
        assertTrue(guide.contains(undo), "the guide states the JSON's words");
        assertEquals(guide.indexOf("idempotent"), guide.lastIndexOf("idempotent"), "and nowhere else");
    }

    @Test
    void classesOutsideCodeAreNamedWithTheirPackage() throws Exception {
        String prose = guide().replaceAll("(?s)\n----\n.*?\n----\n", "\n");
        Matcher m = Pattern.compile("`([A-Z][A-Za-z0-9]*)`").matcher(prose);
        List<String> simple = new ArrayList<>();
        while (m.find()) {
            for (String pkg : List.of("io.blksnap.camel.", "io.blksnap.txn.", "io.blksnap.catalog.",
                    "io.blksnap.registry.", "io.blksnap.retention.")) {
                try {
                    Class.forName(pkg + m.group(1));
                    simple.add(m.group(1));
                } catch (ClassNotFoundException e) {
                    // not a class of ours: a header, an enum constant, a status
                }
            }
        }
        assertEquals(List.of(), simple, "backticked class names without their package");
    }

    @Test
    void theBodyTypesOfTheOutTableAreClasses() throws Exception {
        Map<String, List<String>> table = table("== Out headers and body of each operation", 0);
        for (List<String> row : table.values()) {
            for (String type : GuideTables.name(row.get(2)).split("[<>]")) {
                Class.forName(type);
            }
        }
    }
}
