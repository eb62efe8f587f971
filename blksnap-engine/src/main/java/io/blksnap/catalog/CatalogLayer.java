package io.blksnap.catalog;

/** One file of a device's image chain, the active layer first. */
public record CatalogLayer(String file, String format, long virtualSize) {
}
