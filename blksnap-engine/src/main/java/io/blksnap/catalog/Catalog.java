package io.blksnap.catalog;

import java.util.List;

/**
 * The metadata of a group at one moment, for export (its JSON Schema is published as
 * {@code catalog.schema.json}): devices, image chains, and every snapshot with the transaction
 * that made it.
 */
public record Catalog(int formatVersion, String group, long generatedAtSec, List<CatalogDevice> devices) {

    public static final int FORMAT_VERSION = 1;
}
