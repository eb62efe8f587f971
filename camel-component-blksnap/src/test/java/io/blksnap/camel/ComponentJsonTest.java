package io.blksnap.camel;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated component JSON describes every option and header, and the generated configurers and URI factory
 * (not reflection) are what Camel uses.
 */
class ComponentJsonTest extends BlksnapTestSupport {

    static final Path JSON = Path.of("target/classes/META-INF/io/blksnap/camel/blksnap.json");

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        super.bindToRegistry(registry);
        registry.bind("clock", Clock.systemUTC());
    }

    private static JsonNode json() throws Exception {
        assertTrue(Files.isRegularFile(JSON), JSON + " was not generated");
        return new ObjectMapper().readTree(JSON.toFile());
    }

    /** The option names of BlksnapConfiguration, read from its @UriParam fields. */
    private static List<String> configurationOptions() {
        List<String> out = new ArrayList<>();
        for (Field f : BlksnapConfiguration.class.getDeclaredFields()) {
            if (f.isAnnotationPresent(UriParam.class)) {
                out.add(f.getName());
            }
        }
        assertEquals(18, out.size(), "operation type memory name namePattern timeZone transactionId keep*7 dryRun timeout"
                                     + " events clock");
        return out;
    }

    private static void assertDescribed(JsonNode options, String name) {
        JsonNode o = options.get(name);
        assertTrue(o != null, "option " + name + " is missing");
        assertFalse(o.path("description").asText().isBlank(), "option " + name + " has no description");
    }

    @Test
    void theComponentJsonDescribesEveryOption() throws Exception {
        JsonNode root = json();
        JsonNode component = root.get("component");
        assertEquals("blksnap", component.get("scheme").asText());
        assertEquals("blksnap:group", component.get("syntax").asText());
        assertEquals(BlksnapComponent.class.getName(), component.get("javaType").asText());
        assertEquals("camel-component-blksnap", component.get("artifactId").asText());
        assertFalse(component.get("description").asText().isBlank());

        JsonNode componentProperties = root.get("componentProperties");
        for (String name : List.of("engine", "configFile", "baseDir", "configuration")) {
            assertDescribed(componentProperties, name);
        }
        assertTrue(componentProperties.get("engine").get("autowired").asBoolean());
        assertEquals("io.blksnap.txn.SnapshotEngine", componentProperties.get("engine").get("javaType").asText());

        JsonNode properties = root.get("properties");
        assertDescribed(properties, "group");
        assertEquals("path", properties.get("group").get("kind").asText());
        assertTrue(properties.get("group").get("required").asBoolean());
        for (String name : configurationOptions()) {
            assertDescribed(properties, name);
            assertDescribed(componentProperties, name); // every endpoint option has a component-wide default
        }
        List<String> operations = new ArrayList<>();
        properties.get("operation").get("enum").forEach(n -> operations.add(n.asText()));
        assertEquals(Arrays.stream(BlksnapOperations.values()).map(Enum::name).toList(), operations);
        List<String> types = new ArrayList<>();
        properties.get("type").get("enum").forEach(n -> types.add(n.asText()));
        assertEquals(List.of("internal", "external"), types);
        assertEquals("auto-%Y%m%d-%H%M%S", properties.get("namePattern").get("defaultValue").asText());
        assertEquals("30s", properties.get("timeout").get("defaultValue").asText());
        assertEquals("duration", properties.get("timeout").get("type").asText());
        assertEquals("committed,aborted,recovered", properties.get("events").get("defaultValue").asText());
        assertEquals("consumer", properties.get("events").get("label").asText());
        assertEquals("java.time.Clock", properties.get("clock").get("javaType").asText());
    }

    @Test
    void theComponentJsonDescribesEveryHeader() throws Exception {
        JsonNode headers = json().get("headers");
        int n = 0;
        for (Field f : BlksnapConstants.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                String header = (String) f.get(null);
                assertTrue(header.startsWith("CamelBlksnap"), header);
                JsonNode h = headers.get(header);
                assertTrue(h != null, "header " + header + " is missing");
                assertFalse(h.get("description").asText().isBlank(), header);
                assertEquals(BlksnapConstants.class.getName() + "#" + f.getName(), h.get("constantName").asText());
                n++;
            }
        }
        assertEquals(n, headers.size(), "no header in the JSON that the constants lack");
        for (String h : List.of("CamelBlksnapOperation", "CamelBlksnapSnapshotName", "CamelBlksnapType",
                "CamelBlksnapTransactionId", "CamelBlksnapDryRun", "CamelBlksnapSnapshotTime")) {
            assertTrue(headers.has(h), h);
        }
    }

    @Test
    void camelUsesTheGeneratedConfigurersAndUriFactory() throws Exception {
        assertInstanceOf(BlksnapComponentConfigurer.class,
                PluginHelper.getConfigurerResolver(context).resolvePropertyConfigurer("blksnap-component", context));
        assertInstanceOf(BlksnapEndpointConfigurer.class,
                PluginHelper.getConfigurerResolver(context).resolvePropertyConfigurer("blksnap-endpoint", context));
        assertInstanceOf(BlksnapEndpointUriFactory.class,
                context.getCamelContextExtension().getEndpointUriFactory("blksnap"));

        // nested options reach the configuration through the generated endpoint configurer, without reflection
        PluginHelper.getBeanIntrospection(context).resetCounters();
        BlksnapEndpoint e = context.getEndpoint("blksnap:g?operation=prune&keepDaily=7&keepWithin=P7D&dryRun=true"
                                                + "&timeout=5s&clock=#clock&type=external", BlksnapEndpoint.class);
        BlksnapConfiguration c = e.getConfiguration();
        assertEquals(BlksnapOperations.prune, c.getOperation());
        assertEquals(7, c.getKeepDaily());
        assertEquals("P7D", c.getKeepWithin());
        assertTrue(c.isDryRun());
        assertEquals(5_000, c.getTimeout());
        assertEquals(BlksnapSnapshotType.external, c.getType());
        assertTrue(c.getClock() != null);
        assertEquals(0, PluginHelper.getBeanIntrospection(context).getInvokedCounter(),
                "no option was set by reflection");
        // (the counter does count: binding a plain bean, which has no configurer, goes through reflection)
        org.apache.camel.support.PropertyBindingSupport.build().bind(context, new BlksnapConfiguration(), "keepLast", "3");
        assertTrue(PluginHelper.getBeanIntrospection(context).getInvokedCounter() > 0);

        // component-wide defaults through the generated component configurer
        BlksnapComponent component = context.getComponent("blksnap", BlksnapComponent.class);
        assertEquals(engine, component.getEngine(), "the SnapshotEngine bean was autowired");
        PluginHelper.getConfigurerResolver(context).resolvePropertyConfigurer("blksnap-component", context)
                .configure(context, component, "keepLast", "4", true);
        assertEquals(4, context.getEndpoint("blksnap:g?operation=prune", BlksnapEndpoint.class).getConfiguration()
                .getKeepLast());

        assertThrows(ResolveEndpointFailedException.class, () -> context.getEndpoint("blksnap:g?keepLasst=3"),
                "an unknown option is refused");
    }

    @Test
    void optionsThatCannotWorkFailTheEndpointAtStart() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("blksnap:nosuchgroup?operation=list", "unknown group \"nosuchgroup\"");
        cases.put("blksnap:g?keepWithin=7x", "keepWithin \"7x\"");
        cases.put("blksnap:g?events=committed,exploded", "unknown event \"exploded\"");
        cases.put("blksnap:g?namePattern=auto-%Q", "namePattern \"auto-%Q\"");
        cases.put("blksnap:g?timeZone=Mars/Base", "timeZone \"Mars/Base\"");
        cases.forEach((uri, reason) -> {
            Exception e = assertThrows(Exception.class, () -> context.getEndpoint(uri).start(), uri);
            StringBuilder chain = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                chain.append(t.getMessage()).append(" / ");
            }
            assertTrue(chain.toString().contains(reason), uri + ": " + chain);
        });
    }
}
