package io.edgekit.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limits' state in this process, on Caffeine. Memory is bounded twice: an entry is dropped once its
 * bucket is full again (its TAT is past: forgetting it changes nothing, so a client still sending is never
 * handed a fresh bucket), and at most {@code maxKeys} keys are held; past that, new keys are refused until
 * entries expire, rather than live ones forgotten. A permit is one compare-and-set on the key's TAT; a key
 * seen before costs no allocation.
 */
public final class LocalRateLimitStore implements RateLimitStore {
    /** A key's state: its TAT (none yet: {@link Long#MIN_VALUE}), and its limit's interval (for its expiry). */
    private static final class Entry extends AtomicLong {
        final long interval;

        Entry(long interval) {
            super(Long.MIN_VALUE);
            this.interval = interval;
        }
    }

    private final Cache<String, Entry> entries;
    private final long maxKeys;
    /** The latest time a caller passed: Caffeine's expiry runs on the edge's clock through it. */
    private volatile long now;

    public LocalRateLimitStore(long maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: >= 1)");
        }
        this.maxKeys = maxKeys;
        this.entries = Caffeine.newBuilder()
                .ticker(() -> now)
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String key, Entry entry, long currentTime) {
                        long tat = entry.get();
                        return (tat == Long.MIN_VALUE ? 0 : Math.max(0, tat - currentTime)) + entry.interval;
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry entry, long currentTime, long currentDuration) {
                        return expireAfterCreate(key, entry, currentTime);
                    }

                    @Override
                    public long expireAfterRead(String key, Entry entry, long currentTime, long currentDuration) {
                        // the caller may now move the TAT by at most one interval past max(TAT, now)
                        return expireAfterCreate(key, entry, currentTime);
                    }
                })
                .build();
    }

    /** A store of at most a million keys. */
    public static LocalRateLimitStore create() {
        return new LocalRateLimitStore(1_000_000);
    }

    @Override
    public long acquire(String key, RateLimit limit, long nowNanos) {
        if (nowNanos - now > 0) {
            now = nowNanos;
        }
        long interval = limit.intervalNanos();
        Entry entry = entries.getIfPresent(key);
        if (entry == null) {
            if (entries.estimatedSize() >= maxKeys) {
                entries.cleanUp();
                if (entries.estimatedSize() >= maxKeys) {
                    return Long.MAX_VALUE; // full of keys still sending: refuse the new one
                }
            }
            entry = entries.get(key, k -> new Entry(interval));
        }
        long limitAhead = limit.toleranceNanos() + interval;
        for (;;) {
            long tat = entry.get();
            long base = tat == Long.MIN_VALUE || tat - nowNanos < 0 ? nowNanos : tat;
            long candidate = base + interval;
            if (candidate - nowNanos > limitAhead) {
                return candidate; // refused: the state stays
            }
            if (entry.compareAndSet(tat, candidate)) {
                return candidate;
            }
        }
    }

    /** Keys held now (an estimate). */
    public long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }
}
