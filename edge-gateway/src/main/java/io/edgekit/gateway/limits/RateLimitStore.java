package io.edgekit.gateway.limits;

/**
 * Where the limits' state lives: one theoretical arrival time (TAT) per key and limit, in nanoseconds on
 * the edge's clock. The local store keeps it in memory ({@link LocalRateLimitStore}); a shared store (one
 * TAT per key in Redis, say) makes several edge nodes enforce one limit together. Implementations must be
 * thread-safe and must not block.
 */
public interface RateLimitStore {
    /**
     * Takes one permit of {@code limit} for {@code key} at {@code nowNanos}, if the key is within it.
     * Returns the key's candidate arrival time, {@code max(TAT, now) + interval}, which is stored only when
     * the permit was granted; the caller tells which from it (granted when it is at most
     * {@code now + tolerance + interval} ahead). A store that is full and cannot take a new key without
     * forgetting one still sending answers {@link Long#MAX_VALUE}: the request is refused.
     */
    long acquire(String key, RateLimit limit, long nowNanos);
}
