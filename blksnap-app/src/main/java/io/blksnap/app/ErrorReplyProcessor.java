package io.blksnap.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns the exception a route caught into a JSON error reply,
 * {@code {"error": "...", "reason": "...", "transactionId": "..."}}, and the
 * {@code blksnapReason} header that dead-letter entries carry.
 */
public final class ErrorReplyProcessor implements Processor {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void process(Exchange exchange) throws Exception {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = e == null || e.getMessage() == null ? "unknown error" : e.getMessage();
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("error", e instanceof AccessDeniedException ? "forbidden"
                : e instanceof BadRequestException ? "bad request" : "refused or aborted");
        reply.put("reason", reason);
        Object tx = exchange.getMessage().getHeader("CamelBlksnapTransactionId");
        if (tx != null) {
            reply.put("transactionId", tx.toString());
        }
        exchange.getMessage().setHeader("blksnapReason", reason);
        exchange.getMessage().setBody(JSON.writeValueAsString(reply));
    }
}
