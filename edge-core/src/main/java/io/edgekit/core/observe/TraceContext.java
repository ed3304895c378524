package io.edgekit.core.observe;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Attr;
import io.edgekit.core.Exchange;
import io.edgekit.core.Filter;
import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.TrustedProxies;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C Trace Context (traceparent, tracestate): a decorator that keeps the trace of a caller it trusts (a
 * peer in the trusted-proxy list, with a valid {@code traceparent}), starts a new trace otherwise, and
 * forwards the edge's hop upstream as {@code traceparent} (the same trace id, a span id of the edge's own;
 * {@code tracestate} only with a kept trace). The trace id is on the exchange ({@link #TRACE_ID}) for the
 * access log and anything else that wants it; another tracer (an OpenTelemetry bridge) can take its place
 * as a decorator that sets the same attribute.
 */
public final class TraceContext implements Filter {
    /** The exchange's trace id: 32 lower-case hex digits. */
    public static final Attr<String> TRACE_ID = Attr.named("traceId");
    /** The edge's span id for this exchange: 16 lower-case hex digits. */
    public static final Attr<String> SPAN_ID = Attr.named("spanId");

    private final TrustedProxies trusted;

    private TraceContext(TrustedProxies trusted) {
        this.trusted = trusted;
    }

    /** Keeps the traces of peers in {@code trusted}; starts one for everybody else. */
    public static TraceContext trusting(TrustedProxies trusted) {
        return new TraceContext(requireNonNull(trusted, "trusted"));
    }

    @Override
    public String name() {
        return "traceContext";
    }

    @Override
    public CompletionStage<Response> filter(Exchange exchange, Request request, Next next) {
        String parent = request.headers().firstOrNull("traceparent");
        boolean keep = parent != null && isValid(parent) && trusted.contains(exchange.peer().getAddress());
        String traceId = keep ? parent.substring(3, 35) : hex(16);
        String flags = keep ? parent.substring(53, 55) : "01";
        String spanId = hex(8);
        exchange.put(TRACE_ID, traceId);
        exchange.put(SPAN_ID, spanId);
        Headers.Builder headers = request.headers().toBuilder();
        headers.set("traceparent", "00-" + traceId + "-" + spanId + "-" + flags);
        if (!keep) {
            headers.remove("tracestate");
        }
        return next.proceed(request.withHeaders(headers.build()));
    }

    /** {@code 00-<32 hex>-<16 hex>-<2 hex>}, lower case, neither id all zeros (W3C Trace Context, level 1). */
    static boolean isValid(String value) {
        if (value.length() != 55 || !value.startsWith("00-") || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return false;
        }
        return hex(value, 3, 35) && hex(value, 36, 52) && hex(value, 53, 55) && !zeros(value, 3, 35)
                && !zeros(value, 36, 52);
    }

    private static boolean hex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    private static String hex(int bytes) {
        StringBuilder out = new StringBuilder(bytes * 2);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        do {
            out.setLength(0);
            for (int i = 0; i < bytes; i++) {
                int b = random.nextInt(256);
                out.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
            }
        } while (zeros(out.toString(), 0, out.length()));
        return out.toString();
    }
}
