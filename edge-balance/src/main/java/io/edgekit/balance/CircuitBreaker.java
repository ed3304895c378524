package io.edgekit.balance;

import io.edgekit.core.Admission;
import io.edgekit.core.Attempt;
import io.edgekit.core.Outcome;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Circuit breaking by concurrency: at most a number of attempts in flight to the upstream at once, and
 * optionally at most a number per endpoint. An attempt over a limit is refused before anything is sent,
 * and when no other attempt can be made the client gets 503 at once, with {@code Retry-After}. Counts are
 * kept per upstream name (and endpoint address), so one breaker may guard several upstreams, each on its
 * own. Set with {@code Upstream.Builder.admission}, alone or with {@link Admission#allOf} (after outlier
 * detection). Built with {@link HealthChecks#circuitBreaker(int, int)}. Thread-safe and lock-free.
 */
public final class CircuitBreaker implements Admission {
    private static final Logger logger = LoggerFactory.getLogger(CircuitBreaker.class);

    private final int maxConcurrent;
    private final int maxPerEndpoint;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Boolean> open = new ConcurrentHashMap<>();

    CircuitBreaker(int maxConcurrent, int maxPerEndpoint) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent: " + maxConcurrent + " (expected: >= 1)");
        }
        if (maxPerEndpoint < 0) {
            throw new IllegalArgumentException("maxPerEndpoint: " + maxPerEndpoint + " (expected: >= 0, 0 for none)");
        }
        this.maxConcurrent = maxConcurrent;
        this.maxPerEndpoint = maxPerEndpoint;
    }

    @Override
    public boolean admit(Attempt attempt) {
        String upstream = upstreamOf(attempt);
        AtomicInteger total = counter(upstream);
        if (total.incrementAndGet() > maxConcurrent) {
            total.decrementAndGet();
            opened(upstream, "upstream '" + upstream + "' at its limit of " + maxConcurrent + " requests in flight");
            return false;
        }
        if (maxPerEndpoint > 0) {
            String key = upstream + '|' + attempt.endpoint().address();
            AtomicInteger perEndpoint = counter(key);
            if (perEndpoint.incrementAndGet() > maxPerEndpoint) {
                perEndpoint.decrementAndGet();
                total.decrementAndGet();
                opened(key, "endpoint " + attempt.endpoint() + " of upstream '" + upstream + "' at its limit of "
                        + maxPerEndpoint + " requests in flight");
                return false;
            }
        }
        if (open.remove(upstream) != null) {
            logger.info("upstream '{}': below its limit of requests in flight again", upstream);
        }
        return true;
    }

    @Override
    public void onComplete(Attempt attempt, Outcome outcome) {
        String upstream = upstreamOf(attempt);
        counter(upstream).decrementAndGet();
        if (maxPerEndpoint > 0 && outcome.endpoint() != null) {
            counter(upstream + '|' + outcome.endpoint().address()).decrementAndGet();
        }
    }

    /** Attempts in flight to {@code upstream} now. */
    public int inFlight(String upstream) {
        AtomicInteger count = inFlight.get(upstream);
        return count == null ? 0 : count.get();
    }

    private void opened(String key, String why) {
        if (open.putIfAbsent(key, Boolean.TRUE) == null) {
            logger.warn("{}: refusing attempts", why); // once per opening, not per request
        }
    }

    private AtomicInteger counter(String key) {
        return inFlight.computeIfAbsent(key, k -> new AtomicInteger());
    }

    private static String upstreamOf(Attempt attempt) {
        return attempt.upstream() == null ? "" : attempt.upstream().name();
    }

    @Override
    public String toString() {
        return "CircuitBreaker[" + maxConcurrent + " in flight" + (maxPerEndpoint > 0 ? ", " + maxPerEndpoint
                + " per endpoint" : "") + "]";
    }
}
