package io.blksnap.app;

import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scheduled runs never overlap: a test-only advice makes each run of the real scheduled-backup
 * route take about 2.5 s while the cron fires every second. The stateful Quartz job must run
 * them one after another (and skip the firings it missed rather than queue them up).
 */
@CamelMainTest(mainClass = BlksnapApplication.class,
        propertyPlaceholderLocations = "file:../config/application.properties",
        properties = {
                "camel.main.routes-include-pattern=file:../routes/*.camel.yaml",
                "blksnap.group=t",
                "blksnap.demo.create-images=false",
                "blksnap.broker.url=vm://0",
                "blksnap.schedule.cron=0/1 * * * * ?",
                "blksnap.retention.keep-last=2"})
class NoOverlapTest {

    /** [start, end] of each run, in milliseconds. */
    static final List<long[]> RUNS = new ArrayList<>();

    private static AppTestSupport app;

    @BeanInject
    CamelContext context;

    @BeforeAll
    static void setUp() throws Exception {
        app = AppTestSupport.create(null);
    }

    @AfterAll
    static void tearDown() {
        AppTestSupport.clear();
    }

    @Test
    void runsNeverOverlap() throws Exception {
        // advised here, after start (@CamelMainTest's advices did not find the YAML routes): record
        // each run's start and end, and hold each run for 2.5 s
        AdviceWith.adviceWith(context, "scheduled-backup", a -> {
            a.weaveAddFirst().process(e -> {
                synchronized (RUNS) {
                    RUNS.add(new long[] {System.currentTimeMillis(), 0});
                }
                Thread.sleep(2500);
            });
            a.weaveAddLast().process(e -> {
                synchronized (RUNS) {
                    RUNS.get(RUNS.size() - 1)[1] = System.currentTimeMillis();
                }
            });
        });
        long start = System.currentTimeMillis();
        AppTestSupport.await(20_000, "three finished runs", () -> {
            synchronized (RUNS) {
                return RUNS.stream().filter(r -> r[1] != 0).count() >= 3;
            }
        });
        context.getRouteController().stopRoute("scheduled-backup");
        long elapsedSeconds = (System.currentTimeMillis() - start) / 1000;

        List<long[]> runs;
        synchronized (RUNS) {
            runs = new ArrayList<>(RUNS);
        }
        for (int i = 1; i < runs.size(); i++) {
            long[] prev = runs.get(i - 1);
            long[] next = runs.get(i);
            assertTrue(prev[1] != 0 && next[0] >= prev[1],
                    "run " + i + " started at " + next[0] + " before run " + (i - 1) + " ended at " + prev[1]);
        }
        // the cron fired about once a second; missed firings were skipped, not run in a burst
        assertTrue(runs.size() <= elapsedSeconds / 2 + 2, runs.size() + " runs in " + elapsedSeconds + " s");
        for (String device : AppTestSupport.DEVICES) {
            assertEquals(2, app.snapshots(device).size(), device + " keeps 2 snapshots");
        }
        app.assertAllClean();
    }
}
