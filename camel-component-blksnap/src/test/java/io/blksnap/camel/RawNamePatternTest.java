package io.blksnap.camel;

import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;

import static io.blksnap.camel.dsl.StaticEndpointBuilders.blksnap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** When namePattern needs RAW(), as the namePattern option's description says. */
class RawNamePatternTest extends BlksnapTestSupport {

    static final String SPECIAL = "n-%d0+%de&x";

    private String patternOf(String uri) {
        return context.getEndpoint(uri, BlksnapEndpoint.class).getConfiguration().getNamePattern();
    }

    private String fromYaml(String routeId, int keepLast, String pattern) throws Exception {
        // keepLast only tells this route's endpoint apart
        String yaml = "- route:\n    id: " + routeId + "\n    from:\n      uri: direct:" + routeId + "\n      steps:\n"
                      + "        - to:\n            uri: blksnap:g\n            parameters:\n"
                      + "              operation: snapshot\n              keepLast: " + keepLast + "\n"
                      + "              namePattern: \"" + pattern + "\"\n";
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString(routeId + ".yaml", yaml));
        return context.getEndpoints().stream()
                .filter(e -> e instanceof BlksnapEndpoint b && b.getConfiguration().getKeepLast() == keepLast)
                .map(e -> ((BlksnapEndpoint) e).getConfiguration().getNamePattern()).findFirst().orElseThrow();
    }

    private String fromDsl(String pattern) throws Exception {
        return ((BlksnapEndpoint) blksnap("g").operation(BlksnapOperations.snapshot).namePattern(pattern)
                .resolve(context)).getConfiguration().getNamePattern();
    }

    @Test
    void patternsWithoutPercentHexPlusOrAmpersandNeedNoRaw() throws Exception {
        int n = 0;
        for (String plain : new String[] { "nightly-%Y%m%d", "auto-%Y%m%d-%H%M%S", "n_%y.%m-%j%s%%", "%Y%m%d%H" }) {
            assertEquals(plain, patternOf("blksnap:g?operation=snapshot&namePattern=" + plain), plain);
            assertEquals(plain, fromYaml("plain" + n, ++n, plain), plain);
            assertEquals(plain, fromDsl(plain), plain);
        }
    }

    @Test
    void percentHexPlusAndAmpersandNeedRawInUrisYamlAndTheDsl() throws Exception {
        for (String special : new String[] { "n-%d0", "n-%de", "a+%H" }) {
            assertNotEquals(special, patternOf("blksnap:g?operation=snapshot&namePattern=" + special), special);
        }
        assertNotEquals("n-%d0", fromYaml("bare", 1, "n-%d0"));
        assertNotEquals("a+%H", fromDsl("a+%H"));

        String raw = "RAW(" + SPECIAL + ")";
        assertEquals(SPECIAL, patternOf("blksnap:g?operation=snapshot&namePattern=" + raw));
        assertEquals(SPECIAL, fromYaml("raw", 2, raw));
        assertEquals(SPECIAL, fromDsl(raw));
    }

    @Test
    void setOnTheComponentItIsTakenAsWritten() throws Exception {
        BlksnapComponent component = context.getComponent("blksnap", BlksnapComponent.class);
        PluginHelper.getConfigurerResolver(context).resolvePropertyConfigurer("blksnap-component", context)
                .configure(context, component, "namePattern", SPECIAL, true);
        assertEquals(SPECIAL, patternOf("blksnap:g?operation=list"));
    }
}
