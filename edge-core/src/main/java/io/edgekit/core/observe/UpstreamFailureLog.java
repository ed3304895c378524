package io.edgekit.core.observe;

import io.edgekit.core.Attempt;
import io.edgekit.core.Exchange;
import io.edgekit.core.ExchangeListener;
import io.edgekit.core.Outcome;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream failures at WARN, each kind per endpoint (DNS, refused or unreachable, reset, timed out) with the
 * route, the endpoint and the kind: the first at once, then at most one line per interval for that endpoint
 * and kind, saying how many more there were, so a dead endpoint under load writes a handful of lines, not one
 * per request. Add it with {@code Edge.Builder.listener}.
 */
public final class UpstreamFailureLog implements ExchangeListener.Factory {
    private static final Logger logger = LoggerFactory.getLogger("edgekit.upstream");

    private final long intervalNanos;
    private final LongSupplier nanos;
    private final Consumer<String> sink;
    private final ConcurrentHashMap<String, long[]> last = new ConcurrentHashMap<>(); // [next allowed, suppressed]

    private UpstreamFailureLog(long intervalNanos, LongSupplier nanos, Consumer<String> sink) {
        this.intervalNanos = intervalNanos;
        this.nanos = nanos;
        this.sink = sink;
    }

    /** To logger {@code edgekit.upstream} at WARN, at most one line per endpoint and kind every 10 seconds. */
    public static UpstreamFailureLog toLogger() {
        return new UpstreamFailureLog(10_000_000_000L, System::nanoTime, logger::warn);
    }

    /** To {@code sink}, at most one line per endpoint and kind every {@code intervalNanos} of {@code nanos}. */
    public static UpstreamFailureLog to(Consumer<String> sink, long intervalNanos, LongSupplier nanos) {
        return new UpstreamFailureLog(intervalNanos, nanos, sink);
    }

    private final AtomicLong lines = new AtomicLong();

    /** Lines written so far. */
    public long lines() {
        return lines.get();
    }

    private final ExchangeListener listener = new ExchangeListener() {
        @Override
        public void attemptEnded(Attempt attempt, Outcome outcome) {
            String kind = switch (outcome.kind()) {
                case CONNECT_FAILED -> outcome.cause() != null && outcome.cause().startsWith("could not resolve")
                        ? "DNS: " + outcome.cause() : "connection refused or unreachable";
                case RESET -> "connection reset";
                case TIMEOUT -> "timed out";
                default -> null;
            };
            if (kind == null || outcome.endpoint() == null) {
                return;
            }
            String key = outcome.endpoint().address() + '|' + (kind.startsWith("DNS") ? "DNS" : outcome.kind().name());
            long now = nanos.getAsLong();
            long[] state = last.computeIfAbsent(key, k -> new long[] {now, 0});
            long suppressed;
            synchronized (state) {
                if (now - state[0] < 0) {
                    state[1]++;
                    return;
                }
                suppressed = state[1];
                state[0] = now + intervalNanos;
                state[1] = 0;
            }
            lines.incrementAndGet();
            String route = attempt.exchange().routeMatch().map(m -> m.route().id()).orElse("-");
            sink.accept("upstream '" + attempt.upstream().name() + "' endpoint " + outcome.endpoint().address()
                    + " (route '" + route + "'): " + kind + (suppressed > 0 ? "; " + suppressed
                    + " more since the last line" : ""));
        }
    };

    @Override
    public ExchangeListener create(Exchange exchange) {
        return listener;
    }
}
