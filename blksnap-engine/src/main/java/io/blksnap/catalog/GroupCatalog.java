package io.blksnap.catalog;

import io.blksnap.qcow2.ImageInfo;
import io.blksnap.qcow2.Qcow2Image;
import io.blksnap.qcow2.Snapshot;
import io.blksnap.registry.Device;
import io.blksnap.txn.SnapshotEngine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a group's devices (read-only, no locks) into a catalog, or into its group snapshots. */
public final class GroupCatalog {

    private final SnapshotEngine engine;

    public GroupCatalog(SnapshotEngine engine) {
        this.engine = engine;
    }

    public Catalog catalog(String group, Instant now) throws IOException {
        Provenance provenance = new Provenance(engine.history());
        List<CatalogDevice> devices = new ArrayList<>();
        for (Device d : engine.registry().group(group)) {
            Path active = engine.registry().activeImage(d.name());
            try (Qcow2Image img = Qcow2Image.open(active)) {
                ImageInfo info = img.info();
                List<CatalogLayer> chain = new ArrayList<>();
                chain.add(new CatalogLayer(active.toString(), "qcow2", info.virtualSize()));
                for (ImageInfo.BackingLayer b : info.backingChain()) {
                    chain.add(new CatalogLayer(b.filename(), b.format(), b.virtualSize()));
                }
                List<CatalogSnapshot> snaps = new ArrayList<>();
                for (Snapshot s : img.snapshots()) {
                    snaps.add(new CatalogSnapshot(s.id(), s.name(), s.dateSec(), s.dateNsec(), s.vmClockNsec(),
                            s.vmStateSize(), s.diskSize(), provenance.transactionOf(d.name(), s)));
                }
                devices.add(new CatalogDevice(d.name(), active.toString(), info.virtualSize(), List.copyOf(chain),
                        List.copyOf(snaps)));
            }
        }
        return new Catalog(Catalog.FORMAT_VERSION, group, now.getEpochSecond(), List.copyOf(devices));
    }

    /** The group's snapshots by name, oldest first. */
    public List<GroupSnapshot> groupSnapshots(String group) throws IOException {
        Catalog c = catalog(group, Instant.now());
        record Acc(long dateSec, List<String> devices, List<String> txns) {
        }
        Map<String, Acc> byName = new LinkedHashMap<>();
        for (CatalogDevice d : c.devices()) {
            for (CatalogSnapshot s : d.snapshots()) {
                Acc a = byName.computeIfAbsent(s.name(), n -> new Acc(s.dateSec(), new ArrayList<>(), new ArrayList<>()));
                a.devices().add(d.name());
                a.txns().add(s.transactionId());
            }
        }
        List<GroupSnapshot> out = new ArrayList<>();
        byName.forEach((name, a) -> {
            String txn = a.txns().stream().distinct().count() == 1 ? a.txns().get(0) : null;
            out.add(new GroupSnapshot(name, a.dateSec(), txn, List.copyOf(a.devices()),
                    a.devices().size() == c.devices().size()));
        });
        out.sort((x, y) -> Long.compare(x.dateSec(), y.dateSec()));
        return out;
    }
}
