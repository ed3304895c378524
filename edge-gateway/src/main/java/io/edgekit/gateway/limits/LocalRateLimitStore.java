package io.edgekit.gateway.limits;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limits' state in this process. Memory is bounded twice: an entry goes once its bucket is full again
 * (its TAT is past: forgetting it changes nothing, so a client still sending is never handed a fresh
 * bucket), swept a few entries at a time as new keys arrive and wholly when the store is full; and at most
 * {@code maxKeys} keys are held: past that, new keys are refused until entries expire, rather than live
 * ones forgotten. A permit for a key seen before is one map lookup and one compare-and-set: no lock, no
 * allocation.
 */
public final class LocalRateLimitStore implements RateLimitStore {
    /** Entries looked at per new key, to forget the expired ones as the store goes. */
    private static final int SWEEP_STEP = 4;

    /** A key's state: its TAT (none yet: {@link Long#MIN_VALUE}), and its limit's interval. */
    private static final class Entry extends AtomicLong {
        final long interval;

        Entry(long interval) {
            super(Long.MIN_VALUE);
            this.interval = interval;
        }

        /** Whether the bucket is full again at {@code now}: the entry says nothing a fresh one would not. */
        boolean expired(long now) {
            long tat = get();
            return tat == Long.MIN_VALUE || tat - now <= 0;
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final long maxKeys;
    private Iterator<Entry> sweep;

    public LocalRateLimitStore(long maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: >= 1)");
        }
        this.maxKeys = maxKeys;
    }

    /** A store of at most a million keys. */
    public static LocalRateLimitStore create() {
        return new LocalRateLimitStore(1_000_000);
    }

    @Override
    public long acquire(String key, RateLimit limit, long nowNanos) {
        long interval = limit.intervalNanos();
        Entry entry = entries.get(key);
        if (entry == null) {
            sweepSome(nowNanos, SWEEP_STEP);
            if (entries.size() >= maxKeys) {
                sweepSome(nowNanos, Integer.MAX_VALUE);
                if (entries.size() >= maxKeys) {
                    return Long.MAX_VALUE; // full of keys still sending: refuse the new one
                }
            }
            entry = entries.computeIfAbsent(key, k -> new Entry(interval));
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

    /** Forgets up to {@code count} expired entries, going on from where the last sweep stopped. */
    private synchronized void sweepSome(long now, int count) {
        int seen = 0;
        int restarts = 0;
        while (seen < count) {
            if (sweep == null || !sweep.hasNext()) {
                if (restarts++ > 0) {
                    return; // once around the whole map is enough
                }
                sweep = entries.values().iterator();
                if (!sweep.hasNext()) {
                    return;
                }
            }
            Entry entry = sweep.next();
            if (entry.expired(now)) {
                sweep.remove();
            }
            seen++;
        }
    }

    /** Keys held now. */
    public long size() {
        return entries.size();
    }
}
