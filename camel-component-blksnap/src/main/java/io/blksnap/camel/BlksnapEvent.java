package io.blksnap.camel;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The body of a consumed transaction event.
 *
 * @param kind          STARTED, STEP, COMMITTED, ABORTED or RECOVERED
 * @param transactionId the transaction
 * @param time          when it happened, ISO-8601 (for recoveries done when the engine opened: when the consumer
 *                      started)
 * @param group         the consumer's group
 * @param device        for STEP: the device whose request moved
 * @param step          for STEP: where that request is now
 * @param transaction   for COMMITTED, ABORTED and RECOVERED: the transaction's outcome
 */
@JsonPropertyOrder({ "kind", "transactionId", "time", "group", "device", "step", "transaction" })
public record BlksnapEvent(String kind, String transactionId, String time, String group, String device, String step,
        BlksnapTransaction transaction) {
}
