package io.blksnap.catalog;

import io.blksnap.group.OverlayNaming;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.registry.Device;
import io.blksnap.txn.DeviceView;
import io.blksnap.txn.SnapshotEngine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a group's devices into a catalog, or into its group snapshots, through
 * {@link SnapshotEngine#describe} (read-only, no locks; a running VM's disk through QEMU). A device's
 * snapshots are the internal ones of its active layer and the external points of its chain: a layer
 * below an overlay named by {@link OverlayNaming} is the point of that overlay's name.
 */
public final class GroupCatalog {

    private final SnapshotEngine engine;

    public GroupCatalog(SnapshotEngine engine) {
        this.engine = engine;
    }

    public Catalog catalog(String group, Instant now) throws IOException {
        Provenance provenance = new Provenance(engine.history());
        List<CatalogDevice> devices = new ArrayList<>();
        for (Device d : engine.registry().group(group)) {
            DeviceView view = engine.describe(d.name());
            List<CatalogLayer> chain = new ArrayList<>();
            for (DeviceView.Layer l : view.chain()) {
                chain.add(new CatalogLayer(l.file().toString(), l.format(), l.virtualSize()));
            }
            List<CatalogSnapshot> snaps = new ArrayList<>();
            for (Snapshot s : view.snapshots()) {
                snaps.add(new CatalogSnapshot(s.id(), s.name(), s.dateSec(), s.dateNsec(), s.vmClockNsec(),
                        s.vmStateSize(), s.diskSize(), provenance.transactionOf(d.name(), s), CatalogSnapshot.INTERNAL,
                        null));
            }
            // the chain is newest first; its points go oldest first
            for (int i = view.chain().size() - 2; i >= 0; i--) {
                DeviceView.Layer overlay = view.chain().get(i);
                String name = OverlayNaming.pointName(d, overlay.file());
                if (name != null) {
                    snaps.add(point(d.name(), name, overlay, provenance));
                }
            }
            devices.add(new CatalogDevice(d.name(), view.activeImage().toString(), view.virtualSize(),
                    List.copyOf(chain), List.copyOf(snaps), view.live()));
        }
        return new Catalog(Catalog.FORMAT_VERSION, group, now.getEpochSecond(), List.copyOf(devices));
    }

    /** The point below {@code overlay}: made when the overlay was, as the journal or else the file says. */
    private static CatalogSnapshot point(String device, String name, DeviceView.Layer overlay, Provenance provenance)
            throws IOException {
        Provenance.Made made = provenance.externalOf(device, overlay.file());
        Instant time = made != null ? made.time() : created(overlay.file());
        return new CatalogSnapshot("", name, time.getEpochSecond(), time.getNano(), 0, 0, overlay.allocatedBytes(),
                made == null ? null : made.transactionId(), CatalogSnapshot.EXTERNAL, overlay.file().toString());
    }

    /** The file's birth time where the file system keeps one (else its last change): when the overlay was made. */
    private static Instant created(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).creationTime().toInstant();
    }

    /** The group's snapshots by name, oldest first. */
    public List<GroupSnapshot> groupSnapshots(String group) throws IOException {
        Catalog c = catalog(group, Instant.now());
        record Acc(long dateSec, List<String> devices, List<String> txns, List<String> kinds) {
        }
        Map<String, Acc> byName = new LinkedHashMap<>();
        for (CatalogDevice d : c.devices()) {
            for (CatalogSnapshot s : d.snapshots()) {
                Acc a = byName.computeIfAbsent(s.name(),
                        n -> new Acc(s.dateSec(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
                a.devices().add(d.name());
                a.txns().add(s.transactionId());
                a.kinds().add(s.kind());
            }
        }
        List<GroupSnapshot> out = new ArrayList<>();
        byName.forEach((name, a) -> {
            String txn = a.txns().stream().distinct().count() == 1 ? a.txns().get(0) : null;
            String kind = a.kinds().stream().distinct().count() == 1 ? a.kinds().get(0) : GroupSnapshot.MIXED;
            out.add(new GroupSnapshot(name, a.dateSec(), txn, List.copyOf(a.devices()),
                    a.devices().stream().distinct().count() == c.devices().size(), kind));
        });
        out.sort((x, y) -> Long.compare(x.dateSec(), y.dateSec()));
        return out;
    }
}
