package io.blksnap.catalog;

import java.util.List;

/** A device in a catalog: where its data lives now and every internal snapshot of its active layer. */
public record CatalogDevice(String name, String activeImage, long virtualSize, List<CatalogLayer> chain,
                            List<CatalogSnapshot> snapshots) {
}
