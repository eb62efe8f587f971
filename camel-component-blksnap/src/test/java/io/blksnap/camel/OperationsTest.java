package io.blksnap.camel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import io.blksnap.catalog.Catalog;
import io.blksnap.catalog.CatalogDevice;
import io.blksnap.catalog.GroupSnapshot;
import io.blksnap.testing.Qemu;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every operation through a route, judged by qemu-img. */
class OperationsTest extends BlksnapTestSupport {

    static final Instant NOW = Instant.parse("2026-11-26T00:45:00Z");

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        super.bindToRegistry(registry);
        registry.bind("clock", Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:snapshot").to("blksnap:g?operation=snapshot&clock=#clock");
                from("direct:external").to("blksnap:g?operation=snapshot&type=external&name=ext1");
                from("direct:delete").to("blksnap:g?operation=delete");
                from("direct:list").to("blksnap:g?operation=list");
                from("direct:apply").to("blksnap:g?operation=apply");
                from("direct:undo").to("blksnap:g?operation=undo");
                from("direct:undoTwice").to("blksnap:g?operation=undo").to("blksnap:g?operation=undo");
                from("direct:catalog").to("blksnap:g?operation=catalog&clock=#clock");
            }
        };
    }

    private BlksnapTransaction snapshot(String name) {
        return call("direct:snapshot", BlksnapConstants.SNAPSHOT_NAME, name).getMessage()
                .getBody(BlksnapTransaction.class);
    }

    @Test
    void snapshotTakesEveryDeviceInOneTransactionNamedByThePattern() throws Exception {
        Exchange e = call("direct:snapshot");
        BlksnapTransaction t = e.getMessage().getBody(BlksnapTransaction.class);
        assertEquals("COMMITTED", t.status());
        assertTrue(t.committed());
        assertEquals("snapshot", t.operation());
        assertEquals("g", t.group());
        assertEquals(List.of("disk0", "disk1"), t.outcomes().stream().map(BlksnapOutcome::device).toList());
        for (BlksnapOutcome o : t.outcomes()) {
            assertEquals("COMMITTED", o.step());
            assertEquals("internal", o.type());
            assertEquals("CREATE", o.operation());
            assertEquals("auto-20261126-004500", o.name());
            assertNull(o.error());
        }
        assertEquals(t.id(), e.getMessage().getHeader(BlksnapConstants.TRANSACTION_ID));
        assertEquals("COMMITTED", e.getMessage().getHeader(BlksnapConstants.TRANSACTION_STATUS));
        assertEquals("auto-20261126-004500", e.getMessage().getHeader(BlksnapConstants.SNAPSHOT_NAME));
        assertEquals(List.of("auto-20261126-004500"), fixture.snapshots("disk0"));
        assertEquals(List.of("auto-20261126-004500"), fixture.snapshots("disk1"));
        assertEquals(List.of(), fixture.snapshots("spare"), "a device of another group is not touched");
        // the snapshot carries the clock's time, as qemu-img shows it
        String listing = Qemu.img("snapshot", "-l", "-U", fixture.image("disk0").toString()).ok().out();
        assertTrue(listing.contains("2026-11-26") || listing.contains("2026-11-25"), listing);
        fixture.assertAllClean();
    }

    @Test
    void externalSnapshotPivotsEveryDeviceToAnOverlayInItsOverlayDir() throws Exception {
        BlksnapTransaction t = call("direct:external").getMessage().getBody(BlksnapTransaction.class);
        assertEquals("COMMITTED", t.status());
        for (String d : fixture.devices) {
            Path overlay = fixture.overlayDir(d).resolve(d + "-ext1.qcow2");
            assertTrue(Files.isRegularFile(overlay), overlay.toString());
            String info = Qemu.img("info", "-U", overlay.toString()).ok().out();
            assertTrue(info.contains(fixture.image(d).getFileName().toString()), info);
            BlksnapOutcome o = t.outcomes().stream().filter(x -> x.device().equals(d)).findFirst().orElseThrow();
            assertEquals("external", o.type());
            assertEquals(overlay.toAbsolutePath().normalize().toString(), o.overlay());
        }
        Catalog c = call("direct:catalog").getMessage().getBody(Catalog.class);
        for (CatalogDevice d : c.devices()) {
            assertTrue(d.activeImage().endsWith(d.name() + "-ext1.qcow2"), d.activeImage());
            assertEquals(2, d.chain().size());
        }
        fixture.assertAllClean();
    }

    @Test
    void deleteRemovesTheNamedSnapshotFromEveryDevice() throws Exception {
        snapshot("a");
        snapshot("b");
        BlksnapTransaction t = call("direct:delete", BlksnapConstants.SNAPSHOT_NAME, "a").getMessage()
                .getBody(BlksnapTransaction.class);
        assertEquals("delete", t.operation());
        assertEquals(2, t.outcomes().size());
        assertTrue(t.outcomes().stream().allMatch(o -> o.operation().equals("DELETE") && o.step().equals("COMMITTED")));
        for (String d : fixture.devices) {
            assertEquals(List.of("b"), fixture.snapshots(d));
        }
        fixture.assertAllClean();
    }

    @Test
    void listGroupsTheSnapshotsByNameAcrossDevices() throws Exception {
        String a = snapshot("a").id();
        String b = snapshot("b").id();
        Qemu.img("snapshot", "-c", "manual", fixture.image("disk0").toString()).ok();
        @SuppressWarnings("unchecked")
        List<GroupSnapshot> list = call("direct:list").getMessage().getBody(List.class);
        assertEquals(3, list.size());
        GroupSnapshot ga = list.stream().filter(s -> s.name().equals("a")).findFirst().orElseThrow();
        assertEquals(a, ga.transactionId());
        assertEquals(List.of("disk0", "disk1"), ga.devices());
        assertTrue(ga.complete());
        assertEquals(b, list.stream().filter(s -> s.name().equals("b")).findFirst().orElseThrow().transactionId());
        GroupSnapshot manual = list.stream().filter(s -> s.name().equals("manual")).findFirst().orElseThrow();
        assertNull(manual.transactionId(), "qemu-img's own snapshot was not made by blksnap");
        assertEquals(List.of("disk0"), manual.devices());
        assertFalse(manual.complete());
    }

    @Test
    void applyRevertsEveryDeviceToTheSnapshot() throws Exception {
        snapshot("before");
        for (String d : fixture.devices) {
            Qemu.io(fixture.image(d), "write -P 0x77 0 256k");
        }
        BlksnapTransaction t = call("direct:apply", BlksnapConstants.SNAPSHOT_NAME, "before").getMessage()
                .getBody(BlksnapTransaction.class);
        assertEquals("apply", t.operation());
        assertTrue(t.outcomes().stream().allMatch(o -> o.operation().equals("APPLY") && o.step().equals("COMMITTED")));
        for (int i = 0; i < fixture.devices.size(); i++) {
            // the data written before the snapshot is back (qemu-io fails on a pattern mismatch)
            Qemu.io(fixture.image(fixture.devices.get(i)), "read -P " + (0x10 + i) + " 0 256k");
            assertEquals(List.of("before"), fixture.snapshots(fixture.devices.get(i)));
        }
        fixture.assertAllClean();
    }

    @Test
    void undoDeletesWhatASnapshotMadeAndIsIdempotent() throws Exception {
        snapshot("keep");
        String made = snapshot("undo-me").id();
        Exchange e = call("direct:undo", BlksnapConstants.TRANSACTION_ID, made);
        BlksnapTransaction undone = e.getMessage().getBody(BlksnapTransaction.class);
        assertEquals("undo", undone.operation());
        assertEquals(made, undone.undoes());
        assertTrue(undone.committed());
        assertEquals(2, undone.outcomes().size());
        assertTrue(undone.id() != null && !undone.id().equals(made), "the compensation is a transaction of its own");
        assertEquals(made, e.getMessage().getHeader(BlksnapConstants.TRANSACTION_ID),
                "the header keeps naming the undone transaction, so repeating undo is harmless");
        for (String d : fixture.devices) {
            assertEquals(List.of("keep"), fixture.snapshots(d));
        }
        var before = fixture.fingerprint();
        BlksnapTransaction again = call("direct:undo", BlksnapConstants.TRANSACTION_ID, made).getMessage()
                .getBody(BlksnapTransaction.class);
        assertTrue(again.committed());
        assertNull(again.id(), "nothing ran");
        assertEquals(List.of(), again.outcomes());
        assertTrue(again.reason().contains("already undone"), again.reason());
        assertEquals(before, fixture.fingerprint(), "a second undo changes nothing");

        // undo twice in one route: the second one finds nothing to do
        String twice = snapshot("twice").id();
        BlksnapTransaction second = call("direct:undoTwice", BlksnapConstants.TRANSACTION_ID, twice).getMessage()
                .getBody(BlksnapTransaction.class);
        assertTrue(second.reason().contains("already undone"), second.reason());
        assertEquals(List.of("keep"), fixture.snapshots("disk0"));

        // undoing an aborted transaction succeeds and changes nothing
        faults.failAt("prepared:1");
        Exchange failed = send("direct:snapshot", BlksnapConstants.SNAPSHOT_NAME, "doomed");
        assertInstanceOf(BlksnapTransactionAbortedException.class, failed.getException());
        String aborted = failed.getMessage().getHeader(BlksnapConstants.TRANSACTION_ID, String.class);
        before = fixture.fingerprint();
        BlksnapTransaction nothing = call("direct:undo", BlksnapConstants.TRANSACTION_ID, aborted).getMessage()
                .getBody(BlksnapTransaction.class);
        assertTrue(nothing.committed());
        assertTrue(nothing.reason().contains("did not commit"), nothing.reason());
        assertEquals(before, fixture.fingerprint());
        fixture.assertAllClean();
    }

    @Test
    void catalogIsTheEnginesDocumentOfTheGroup() throws Exception {
        String id = snapshot("a").id();
        Catalog c = call("direct:catalog").getMessage().getBody(Catalog.class);
        assertEquals("g", c.group());
        assertEquals(Catalog.FORMAT_VERSION, c.formatVersion());
        assertEquals(NOW.getEpochSecond(), c.generatedAtSec(), "the clock gives the catalog's time");
        assertEquals(List.of("disk0", "disk1"), c.devices().stream().map(CatalogDevice::name).toList());
        for (CatalogDevice d : c.devices()) {
            assertEquals(1, d.snapshots().size());
            assertEquals("a", d.snapshots().get(0).name());
            assertEquals(id, d.snapshots().get(0).transactionId());
            assertEquals(8L << 20, d.virtualSize());
        }
    }
}
