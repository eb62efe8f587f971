package io.blksnap.camel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The YAML example of the component's documentation, loaded as written (group demo read as g) and run. */
class DocExampleTest extends BlksnapTestSupport {

    static final Path DOC = Path.of("src/main/docs/blksnap-component.adoc");

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:offsite-copy")
                        .filter(header("offsiteFails").isEqualTo(true))
                        .throwException(new IllegalStateException("offsite copy failed"));
            }
        };
    }

    static String yamlExample() throws Exception {
        String doc = Files.readString(DOC);
        int start = doc.indexOf("[source,yaml]\n----\n");
        assertTrue(start >= 0, "the documentation has a YAML example");
        start += "[source,yaml]\n----\n".length();
        return doc.substring(start, doc.indexOf("\n----\n", start) + 1);
    }

    @Test
    void theYamlExampleRuns() throws Exception {
        String yaml = yamlExample().replace("blksnap:demo", "blksnap:g");
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("doc-example.yaml", yaml));

        NotifyBuilder compensated = new NotifyBuilder(context).fromRoute("undo-nightly").whenCompleted(1).create();
        Exchange failed = send("direct:nightly", "offsiteFails", true);
        assertNotNull(failed.getException());
        assertTrue(compensated.matches(20, TimeUnit.SECONDS), "the saga compensated");
        for (String d : fixture.devices) {
            assertEquals(List.of(), fixture.snapshots(d), "the failed night's snapshot is undone");
        }

        Exchange ok = call("direct:nightly", "offsiteFails", false);
        String name = ok.getMessage().getHeader(BlksnapConstants.SNAPSHOT_NAME, String.class);
        assertTrue(name.matches("nightly-\\d{8}"), name);
        for (String d : fixture.devices) {
            assertEquals(List.of(name), fixture.snapshots(d));
        }

        String plan = call("direct:retention").getMessage().getBody(String.class);
        assertTrue(plan.contains("\"kept\":[\"" + name + "\"]"), plan);
        assertNull(ok.getException());
        fixture.assertAllClean();
    }
}
