package io.blksnap.app;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Turns a validated queue message into the headers the blksnap endpoint reads, so the message's
 * own text never reaches a URI or a path: {@code blksnapGroup} (a configured group, used in
 * {@code toD}) and the component's operation, name, type, transaction id and dry-run headers.
 * Retention numbers become {@code blksnapKeep*} headers, defaulting to the configured policy.
 */
public final class QueueRequestProcessor implements Processor {

    private final QueueRequestValidator validator;

    public QueueRequestProcessor(QueueRequestValidator validator) {
        this.validator = validator;
    }

    @Override
    public void process(Exchange exchange) throws BadRequestException {
        Message in = exchange.getMessage();
        QueueRequest r = validator.validate(in.getBody(String.class));
        in.setHeader("blksnapGroup", r.group());
        in.setHeader("CamelBlksnapOperation", r.operation());
        if (r.name() != null) {
            in.setHeader("CamelBlksnapSnapshotName", r.name());
        }
        if (r.type() != null) {
            in.setHeader("CamelBlksnapType", r.type());
        }
        if (r.transactionId() != null) {
            in.setHeader("CamelBlksnapTransactionId", r.transactionId());
        }
        if (r.dryRun() != null) {
            in.setHeader("CamelBlksnapDryRun", r.dryRun());
        }
        keep(exchange, "blksnapKeepLast", r.keepLast(), "blksnap.retention.keep-last");
        keep(exchange, "blksnapKeepHourly", r.keepHourly(), "blksnap.retention.keep-hourly");
        keep(exchange, "blksnapKeepDaily", r.keepDaily(), "blksnap.retention.keep-daily");
        keep(exchange, "blksnapKeepWeekly", r.keepWeekly(), "blksnap.retention.keep-weekly");
        keep(exchange, "blksnapKeepMonthly", r.keepMonthly(), "blksnap.retention.keep-monthly");
        keep(exchange, "blksnapKeepYearly", r.keepYearly(), "blksnap.retention.keep-yearly");
        in.setBody(null);
    }

    private static void keep(Exchange exchange, String header, Integer value, String property) {
        Object v = value != null ? value
                : exchange.getContext().getPropertiesComponent().resolveProperty(property).orElse("0");
        exchange.getMessage().setHeader(header, v);
    }
}
