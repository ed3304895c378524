package io.edgekit.gateway.limits;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.edgekit.core.Decision;
import io.edgekit.core.Exchange;
import io.edgekit.core.Identity;
import io.edgekit.core.Policy;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plans: each consumer's rate limits and quotas by the plan its identity names (attribute {@code plan},
 * which the auth policies set), counted per consumer ({@link LimitKey#consumer}). Put it after an auth
 * policy. A request without a known plan gets the default plan, or 403 when there is none. Rate limits
 * answer as {@link RateLimiting} does; a quota over its count answers 429 with {@code Retry-After} up to
 * the window's end, and every allowed response carries the quota's {@code RateLimit-Policy} entry too.
 * Quota counters live in memory, bounded like the local rate-limit store (new consumers are refused, not
 * live counters forgotten, when it is full).
 */
public final class Plans implements Policy {
    private final Map<String, RateLimiting> limits;
    private final Map<String, Quota[]> quotas;
    private final String defaultPlan;
    private final Clock clock;
    private final Cache<String, AtomicLong> counters;
    private final long maxCounters;

    private Plans(Builder b) {
        Map<String, RateLimiting> byPlan = new HashMap<>();
        RateLimitStore store = b.store != null ? b.store : LocalRateLimitStore.create();
        b.limits.forEach((plan, list) -> {
            if (!list.isEmpty()) {
                RateLimiting.Builder rl = RateLimiting.builder().key(LimitKey.consumer()).store(store);
                list.forEach(limit -> rl.limit(limit.named(plan + "-" + limit.name())));
                byPlan.put(plan, rl.build());
            }
        });
        this.limits = Map.copyOf(byPlan);
        Map<String, Quota[]> q = new HashMap<>();
        b.quotas.forEach((plan, list) -> q.put(plan, list.toArray(new Quota[0])));
        this.quotas = Map.copyOf(q);
        this.defaultPlan = b.defaultPlan;
        this.clock = b.clock;
        this.maxCounters = b.maxCounters;
        this.counters = Caffeine.newBuilder().executor(Runnable::run).expireAfterWrite(Duration.ofDays(32)).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "plans" + limits.keySet();
    }

    @Override
    public CompletionStage<Decision> evaluate(Exchange exchange, Request request) {
        Identity identity = exchange.identity().orElse(null);
        String plan = identity == null ? null : identity.attributes().get("plan");
        if (plan == null || (!limits.containsKey(plan) && !quotas.containsKey(plan))) {
            plan = defaultPlan;
        }
        if (plan == null) {
            return Decision.deny(403, "Forbidden", "no plan for this consumer").completed();
        }
        String chosen = plan;
        String key = LimitKey.consumer().of(exchange, request);
        RateLimiting rate = limits.get(chosen);
        if (rate == null) {
            Decision quota = takeQuota(chosen, key);
            return (quota != null ? quota : Decision.allow()).completed();
        }
        return rate.evaluate(exchange, request).thenApply(decision -> {
            if (!decision.isAllowed()) {
                return decision; // refused by a rate limit: no quota used
            }
            Decision quota = takeQuota(chosen, key);
            if (quota == null) {
                return decision;
            }
            if (!quota.isAllowed()) {
                return quota;
            }
            return decision.withResponseHeader("RateLimit-Policy",
                    decision.responseHeaders().firstOrNull("RateLimit-Policy") + ", " + quotaPolicy(chosen));
        });
    }

    /** Counts the request against the plan's quotas: null when it has none, a denial, or an allow. */
    private Decision takeQuota(String plan, String key) {
        Quota[] planQuotas = quotas.get(plan);
        if (planQuotas == null) {
            return null;
        }
        java.time.Instant instant = clock.instant();
        long now = instant.getEpochSecond();
        for (Quota quota : planQuotas) {
            long start = quota.windowStart(instant);
            String counterKey = quota.name() + '|' + start + '|' + key;
            AtomicLong count = counters.getIfPresent(counterKey);
            if (count == null) {
                if (counters.estimatedSize() >= maxCounters) {
                    return Decision.deny(Response.problem(429, "Too Many Requests",
                            "the quota counter holds as many consumers as it may").withHeader("Retry-After", "60"));
                }
                count = counters.get(counterKey, k -> new AtomicLong());
            }
            long used = count.incrementAndGet();
            if (used > quota.requests()) {
                long retry = Math.max(1, quota.windowEnd(start) - now);
                return Decision.deny(Response.problem(429, "Too Many Requests", "quota \"" + quota.name() + "\" of plan "
                        + plan + " used up: retry in " + retry + " s")
                        .withHeader("Retry-After", Long.toString(retry))
                        .withHeader("RateLimit-Policy", quotaPolicy(plan))
                        .withHeader("RateLimit", "\"" + quota.name() + "\";r=0;t=" + retry));
            }
        }
        return Decision.allow().withResponseHeader("RateLimit-Policy", quotaPolicy(plan));
    }

    private String quotaPolicy(String plan) {
        StringBuilder field = new StringBuilder();
        for (Quota quota : quotas.get(plan)) {
            if (field.length() > 0) {
                field.append(", ");
            }
            field.append('"').append(quota.name()).append("\";q=").append(quota.requests()).append(";w=")
                    .append(quota.window() == Quota.Window.DAY ? 86_400 : 2_592_000);
        }
        return field.toString();
    }

    /** Builds a {@link Plans} policy. */
    public static final class Builder {
        private final Map<String, List<RateLimit>> limits = new HashMap<>();
        private final Map<String, List<Quota>> quotas = new HashMap<>();
        private String defaultPlan;
        private RateLimitStore store;
        private Clock clock = Clock.systemUTC();
        private long maxCounters = 1_000_000;

        /** Plan {@code name}'s rate limits (several may be given; names must differ). */
        public Builder plan(String name, RateLimit... rateLimits) {
            requireNonNull(name, "name");
            limits.computeIfAbsent(name, k -> new ArrayList<>()).addAll(Arrays.asList(rateLimits));
            quotas.computeIfAbsent(name, k -> new ArrayList<>());
            return this;
        }

        /** A quota of plan {@code name} (the plan is made if it is new). */
        public Builder quota(String name, Quota quota) {
            requireNonNull(quota, "quota");
            limits.computeIfAbsent(name, k -> new ArrayList<>());
            quotas.computeIfAbsent(name, k -> new ArrayList<>()).add(quota);
            return this;
        }

        /** The plan of requests whose identity names none, or one not configured here. */
        public Builder defaultPlan(String name) {
            this.defaultPlan = requireNonNull(name, "name");
            return this;
        }

        /** Where the rate limits' state lives (a local store by default). */
        public Builder store(RateLimitStore store) {
            this.store = requireNonNull(store, "store");
            return this;
        }

        /** The wall clock quota windows are told by (UTC days and months). */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** The most quota counters held at once (a million). */
        public Builder maxCounters(long max) {
            this.maxCounters = max;
            return this;
        }

        public Plans build() {
            if (limits.isEmpty()) {
                throw new IllegalStateException("no plan: add one with plan(\"free\", RateLimit.perSecond(5))");
            }
            if (defaultPlan != null && !limits.containsKey(defaultPlan)) {
                throw new IllegalStateException("defaultPlan: \"" + defaultPlan + "\" is not a plan (plans: "
                        + limits.keySet() + ")");
            }
            quotas.entrySet().removeIf(e -> e.getValue().isEmpty());
            return new Plans(this);
        }
    }
}
