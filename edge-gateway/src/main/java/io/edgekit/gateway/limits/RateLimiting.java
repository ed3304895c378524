package io.edgekit.gateway.limits;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Decision;
import io.edgekit.core.Exchange;
import io.edgekit.core.Policy;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A rate-limit policy: each request takes one permit of every limit for its key (the client address, the
 * consumer, a header...), on the edge's clock. A request over a limit gets 429 problem+json with
 * {@code Retry-After}; every response of the route carries the IETF fields {@code RateLimit-Policy}
 * (each limit: {@code "name";q=permits;w=seconds}) and {@code RateLimit} (the nearest limit:
 * {@code "name";r=remaining;t=seconds until its bucket is full again}).
 *
 * <pre>{@code
 * Policy perClient = RateLimiting.builder().key(LimitKey.clientIp())
 *         .limit(RateLimit.perSecond(10)).limit(RateLimit.perHour(1000)).build();
 * }</pre>
 *
 * <p>Limits are taken in the order added; a request refused by a later limit has already used its permit
 * of the earlier ones. A store that is full refuses new keys with 429 (see {@link LocalRateLimitStore}).
 */
public final class RateLimiting implements Policy {
    private static final long SECOND = 1_000_000_000L;

    private final LimitKey key;
    private final RateLimit[] limits;
    private final String[] prefixes;
    private final RateLimitStore store;
    private final String policyField;
    private final String name;

    private RateLimiting(Builder b) {
        this.key = b.key;
        this.limits = b.limits.toArray(new RateLimit[0]);
        this.store = b.store;
        this.prefixes = new String[limits.length];
        StringBuilder policy = new StringBuilder();
        for (int i = 0; i < limits.length; i++) {
            RateLimit limit = limits[i];
            prefixes[i] = limit.name() + '|';
            if (i > 0) {
                policy.append(", ");
            }
            policy.append('"').append(limit.name()).append("\";q=").append(limit.permits()).append(";w=")
                    .append(Math.max(1, limit.period().toSeconds()));
        }
        this.policyField = policy.toString();
        this.name = "rateLimit" + b.limits;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletionStage<Decision> evaluate(Exchange exchange, Request request) {
        long now = exchange.ticker().nanos();
        String k = key.of(exchange, request);
        int nearest = -1;
        long nearestRemaining = Long.MAX_VALUE;
        long nearestAhead = 0;
        for (int i = 0; i < limits.length; i++) {
            RateLimit limit = limits[i];
            long candidate = store.acquire(prefixes[i] + k, limit, now);
            long interval = limit.intervalNanos();
            long span = limit.toleranceNanos() + interval;
            if (candidate == Long.MAX_VALUE) {
                return refuse(limit, SECOND, "the limiter holds as many clients as it may").completed();
            }
            long ahead = candidate - now;
            if (ahead > span) {
                return refuse(limit, ahead - span, "rate limit \"" + limit.name() + "\" exceeded").completed();
            }
            long remaining = (span - ahead) / interval;
            if (remaining < nearestRemaining) {
                nearest = i;
                nearestRemaining = remaining;
                nearestAhead = ahead;
            }
        }
        return Decision.allow()
                .withResponseHeader("RateLimit-Policy", policyField)
                .withResponseHeader("RateLimit", field(limits[nearest], nearestRemaining, nearestAhead))
                .completed();
    }

    private Decision refuse(RateLimit limit, long waitNanos, String detail) {
        long seconds = seconds(waitNanos);
        Response response = Response.problem(429, "Too Many Requests", detail + ": retry in " + seconds + " s")
                .withHeader("Retry-After", Long.toString(seconds))
                .withHeader("RateLimit-Policy", policyField)
                .withHeader("RateLimit", field(limit, 0, waitNanos));
        return Decision.deny(response);
    }

    private static String field(RateLimit limit, long remaining, long resetNanos) {
        return "\"" + limit.name() + "\";r=" + remaining + ";t=" + seconds(resetNanos);
    }

    /** Whole seconds, rounded up, at least 1. */
    private static long seconds(long nanos) {
        return Math.max(1, (nanos + SECOND - 1) / SECOND);
    }

    /** Builds a {@link RateLimiting} policy. */
    public static final class Builder {
        private LimitKey key = LimitKey.clientIp();
        private final List<RateLimit> limits = new ArrayList<>();
        private RateLimitStore store;

        /** What the limits count by; the client address by default. */
        public Builder key(LimitKey key) {
            this.key = requireNonNull(key, "key");
            return this;
        }

        /** A limit every request must be within; at least one. Names must differ. */
        public Builder limit(RateLimit limit) {
            requireNonNull(limit, "limit");
            for (RateLimit other : limits) {
                if (other.name().equals(limit.name())) {
                    throw new IllegalArgumentException("limit: two limits named \"" + limit.name()
                            + "\" (expected: another name, such as limit.named(\"" + limit.name() + "-2\"))");
                }
            }
            limits.add(limit);
            return this;
        }

        /** Where the state lives; a {@link LocalRateLimitStore} of a million keys by default. */
        public Builder store(RateLimitStore store) {
            this.store = requireNonNull(store, "store");
            return this;
        }

        public RateLimiting build() {
            if (limits.isEmpty()) {
                throw new IllegalStateException("no limit: add one with limit(RateLimit.perSecond(n))");
            }
            if (store == null) {
                store = LocalRateLimitStore.create();
            }
            return new RateLimiting(this);
        }
    }
}
