package io.blksnap.app;

import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.TemporaryQueue;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.jms.JmsMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * Turns a validated queue message into the headers the blksnap endpoint reads, so the message's
 * own text never reaches a URI or a path: {@code blksnapGroup} (a configured group, used in
 * {@code toD}) and the component's operation, name, type, transaction id and dry-run headers.
 * Retention numbers become {@code blksnapKeep*} headers, defaulting to the configured policy.
 * <p>
 * Every header and property the message arrived with is removed first: Camel's header names are
 * case-insensitive, so a JMS property such as {@code cAMELbLKSNAPtYPE} would otherwise be read by
 * the component as its own header. The reply still reaches JMSReplyTo, which the JMS consumer
 * took from the message itself, but only when that is a temporary queue: the application's own
 * user sends the reply, so a client naming {@code blksnap.events} or {@code blksnap.requests}
 * there would otherwise publish through the application's rights. The operation is then
 * authorised for the user the broker validated ({@link QueueAccess}).
 */
public final class QueueRequestProcessor implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(QueueRequestProcessor.class);
    /** Operations that change images; each accepted one is logged with its user. */
    private static final Set<String> CHANGES = Set.of("snapshot", "delete", "apply", "undo", "prune");

    private final QueueRequestValidator validator;
    private final QueueAccess access;

    public QueueRequestProcessor(QueueRequestValidator validator, QueueAccess access) {
        this.validator = validator;
        this.access = access;
    }

    @Override
    public void process(Exchange exchange) throws BadRequestException {
        Message in = exchange.getMessage();
        String user = QueueAccess.validatedUser(in);
        Destination replyTo = replyTo(in);
        in.removeHeaders("*");
        if (user != null) {
            in.setHeader("blksnapUser", user);
        }
        // the body stays as it came until it is accepted: a refused message goes to the DLQ as sent
        QueueRequest r;
        try {
            if (replyTo != null && !(replyTo instanceof TemporaryQueue)) {
                exchange.setPattern(ExchangePattern.InOnly); // no reply, not even the error, goes there
                throw new BadRequestException("JMSReplyTo " + replyTo
                        + " is not a temporary queue: replies go to the sender's temporary queue only");
            }
            r = validator.validate(in.getBody(String.class));
            access.authorise(user, r.operation());
        } catch (BadRequestException e) {
            LOG.warn("queue request from user {} refused: {}", user, e.getMessage());
            throw e;
        }
        if (CHANGES.contains(r.operation()) && !Boolean.TRUE.equals(r.dryRun())) {
            LOG.info("queue request by user {}: {} on group {}{}", user, r.operation(), r.group(),
                    r.name() != null ? " name " + r.name() : r.transactionId() != null ? " " + r.transactionId() : "");
        }
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
        in.setHeader("blksnapKeepWithin", r.keepWithin() != null ? r.keepWithin()
                : exchange.getContext().getPropertiesComponent().resolveProperty("blksnap.retention.keep-within")
                        .orElse(""));
        in.setBody(null);
    }

    private static Destination replyTo(Message in) {
        if (in instanceof JmsMessage jms && jms.getJmsMessage() != null) {
            try {
                return jms.getJmsMessage().getJMSReplyTo();
            } catch (JMSException e) {
                return null;
            }
        }
        return null;
    }

    private static void keep(Exchange exchange, String header, Integer value, String property) {
        Object v = value != null ? value
                : exchange.getContext().getPropertiesComponent().resolveProperty(property).orElse("0");
        exchange.getMessage().setHeader(header, v);
    }
}
