package io.edgekit.gateway.analytics;

import io.edgekit.core.Completion;
import io.edgekit.core.Exchange;
import io.edgekit.core.ExchangeListener;
import io.edgekit.core.Identity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Usage per consumer, route and status class (2xx, 3xx, 4xx, 5xx): request counts and a latency histogram
 * each, read through {@link #snapshot()} and fed by the exchange listener ({@code Edge.Builder.listener}).
 * The consumer is the identity's subject ({@code anonymous} without one). Cardinality is bounded: past
 * {@code maxSeries} series, new ones fold into consumer {@code other}. Recording allocates only for a new
 * series; it never blocks.
 */
public final class UsageAnalytics implements ExchangeListener.Factory {
    /** Upper bounds of the latency buckets, in microseconds (the last is unbounded). */
    private static final long[] BOUNDS_MICROS = {1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000,
        500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, Long.MAX_VALUE};

    /** One row of {@link #snapshot}: latency percentiles are bucket upper bounds, in milliseconds. */
    public record Usage(String consumer, String route, String statusClass, long requests, double p50Millis,
            double p90Millis, double p99Millis) {
    }

    private record Key(String consumer, String route, int statusClass) {
    }

    private static final class Series {
        final LongAdder requests = new LongAdder();
        final AtomicLongArray buckets = new AtomicLongArray(BOUNDS_MICROS.length);
    }

    private final ConcurrentHashMap<Key, Series> series = new ConcurrentHashMap<>();
    private final int maxSeries;

    public UsageAnalytics(int maxSeries) {
        this.maxSeries = maxSeries;
    }

    /** Analytics of at most 10,000 series. */
    public static UsageAnalytics create() {
        return new UsageAnalytics(10_000);
    }

    @Override
    public ExchangeListener create(Exchange exchange) {
        return listener;
    }

    private final ExchangeListener listener = new ExchangeListener() {
        @Override
        public void completed(Exchange exchange, Completion completion) {
            record(completion);
        }
    };

    private void record(Completion completion) {
        String consumer = completion.identity().map(Identity::subject).orElse("anonymous");
        Key key = new Key(consumer, completion.routeId().orElse("-"), completion.status() / 100);
        Series s = series.get(key);
        if (s == null) {
            if (series.size() >= maxSeries) {
                key = new Key("other", key.route(), key.statusClass());
            }
            s = series.computeIfAbsent(key, k -> new Series());
        }
        s.requests.increment();
        long micros = completion.totalNanos() / 1000;
        int bucket = 0;
        while (micros > BOUNDS_MICROS[bucket]) {
            bucket++;
        }
        s.buckets.incrementAndGet(bucket);
    }

    /** Every series now, by consumer, route and status class. */
    public List<Usage> snapshot() {
        List<Usage> rows = new ArrayList<>();
        series.forEach((key, s) -> {
            long[] counts = new long[BOUNDS_MICROS.length];
            long total = 0;
            for (int i = 0; i < counts.length; i++) {
                counts[i] = s.buckets.get(i);
                total += counts[i];
            }
            rows.add(new Usage(key.consumer(), key.route(), key.statusClass() + "xx", s.requests.sum(),
                    percentile(counts, total, 0.50), percentile(counts, total, 0.90), percentile(counts, total, 0.99)));
        });
        rows.sort(Comparator.comparing(Usage::consumer).thenComparing(Usage::route).thenComparing(Usage::statusClass));
        return rows;
    }

    private static double percentile(long[] counts, long total, double q) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return BOUNDS_MICROS[i] == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : BOUNDS_MICROS[i] / 1000.0;
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
