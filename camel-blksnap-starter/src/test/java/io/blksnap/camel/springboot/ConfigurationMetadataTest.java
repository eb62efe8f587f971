package io.blksnap.camel.springboot;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metadata spring-boot-configuration-processor generated for IDEs: every option of the configuration class is
 * listed under camel.component.blksnap with its Javadoc as description and its default.
 */
class ConfigurationMetadataTest {

    @Test
    void listsTheOptionsWithDescriptionsAndDefaults() throws Exception {
        Map<String, JsonNode> properties = properties();
        for (String option : new String[] {"config-file", "base-dir", "engine", "operation", "name-pattern", "timeout",
                "keep-last", "keep-within", "events", "clock", "enabled"}) {
            JsonNode p = properties.get("camel.component.blksnap." + option);
            assertNotNull(p, option + " is listed");
        }
        properties.forEach((name, p) ->
                assertFalse(p.path("description").asText().isBlank(), name + " has a description"));
        assertTrue(properties.get("camel.component.blksnap.config-file").get("description").asText()
                .startsWith("A devices.yaml"));
        assertEquals("auto-%Y%m%d-%H%M%S",
                properties.get("camel.component.blksnap.name-pattern").get("defaultValue").asText());
        assertEquals("UTC", properties.get("camel.component.blksnap.time-zone").get("defaultValue").asText());
    }

    /** The README's property table lists exactly the generated properties, with their defaults. */
    @Test
    void theReadmeTableMatchesTheMetadata() throws Exception {
        Map<String, JsonNode> properties = properties();
        Pattern row = Pattern.compile("(?m)^\\| `(camel\\.component\\.blksnap\\.[a-z.-]+)` \\|([^|]*)\\|");
        Matcher m = row.matcher(Files.readString(Path.of("README.md")));
        Map<String, String> documented = new TreeMap<>();
        while (m.find()) {
            documented.put(m.group(1), m.group(2).trim());
        }
        assertEquals(new TreeMap<>(properties).keySet(), documented.keySet());
        documented.forEach((name, shown) -> {
            JsonNode def = properties.get(name).get("defaultValue");
            if (def != null) {
                assertEquals("`" + def.asText() + "`", shown, name);
            }
        });
    }

    private Map<String, JsonNode> properties() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertNotNull(in, "spring-configuration-metadata.json is generated");
            metadata = new ObjectMapper().readTree(in);
        }
        Map<String, JsonNode> properties = new HashMap<>();
        for (JsonNode p : metadata.get("properties")) {
            properties.put(p.get("name").asText(), p);
        }
        return properties;
    }
}
