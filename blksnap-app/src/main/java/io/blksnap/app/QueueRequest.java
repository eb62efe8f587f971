package io.blksnap.app;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A snapshot request as it arrives on the {@code blksnap.requests} queue. No field is ever used
 * as a path: the group names a configured group, and overlays go where the registry says.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record QueueRequest(String group, String operation, String type, String name, Integer keepLast,
                           Integer keepHourly, Integer keepDaily, Integer keepWeekly, Integer keepMonthly,
                           Integer keepYearly, String keepWithin, Boolean dryRun, String transactionId) {
}
