package io.blksnap.catalog;

import java.util.List;

/**
 * A device in a catalog: where its data lives now and its snapshots, the internal ones of its active
 * layer first, then the external points of its chain, oldest first. {@code live} when read through
 * QEMU (a running VM's disk).
 */
public record CatalogDevice(String name, String activeImage, long virtualSize, List<CatalogLayer> chain,
                            List<CatalogSnapshot> snapshots, boolean live) {
}
