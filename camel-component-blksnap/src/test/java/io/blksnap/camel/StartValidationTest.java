package io.blksnap.camel;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every option that can be judged without a message is judged when the route starts, before any exchange. */
class StartValidationTest extends BlksnapTestSupport {

    private static String causes(Throwable e) {
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(t.getMessage()).append(" / ");
        }
        return chain.toString();
    }

    @Test
    void badCountsAndDurationsFailTheRouteAtStart() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("blksnap:g?operation=prune&keepLast=-1", "keepLast must be 0 (off) or positive, was -1");
        cases.put("blksnap:g?operation=prune&keepDaily=7&keepYearly=-2", "keepYearly must be 0 (off) or positive, was -2");
        cases.put("blksnap:g?keepHourly=-1", "keepHourly must be 0 (off) or positive, was -1");
        cases.put("blksnap:g?operation=prune&keepWithin=-P1D", "keepWithin \"-P1D\"");
        cases.put("blksnap:g?operation=prune&keepWithin=banana", "keepWithin \"banana\"");
        cases.put("blksnap:nosuchgroup?operation=prune&keepLast=1", "unknown group \"nosuchgroup\"");
        int n = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String routeId = "r" + n++;
            Map<String, String> before = fixture.fingerprint();
            Exception e = assertThrows(Exception.class, () -> context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:" + routeId).routeId(routeId).to(c.getKey());
                }
            }), c.getKey());
            assertTrue(causes(e).contains(c.getValue()), c.getKey() + ": " + causes(e));
            assertEquals(before, fixture.fingerprint(), "nothing changed");
        }
    }

    @Test
    void aPolicyFromTheComponentCountsForEveryEndpoint() throws Exception {
        context.getComponent("blksnap", BlksnapComponent.class).getConfiguration().setKeepLast(2);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:prune").routeId("prune").to("blksnap:g?operation=prune");
            }
        });
        assertTrue(context.getRouteController().getRouteStatus("prune").isStarted());
    }
}
