package io.edgekit.balance;

import io.edgekit.core.Attempt;
import io.edgekit.core.Balancer;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointSnapshot;
import io.edgekit.core.Outcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Power of two choices: each pick samples two endpoints at random and takes the one with the lower score.
 * Least in-flight scores requests in flight over weight; peak EWMA scores a peak-sensitive moving average of
 * response-head latency times (requests in flight + 1), over weight. See {@link Balancers#leastInFlight(long)}
 * and {@link Balancers#peakEwma}.
 */
final class LeastInFlightBalancer implements Balancer {
    private final long seed;
    /** The moving average's time constant in nanoseconds; 0 for least in-flight. */
    private final long decayNanos;

    LeastInFlightBalancer(long seed) {
        this(seed, 0);
    }

    LeastInFlightBalancer(long seed, long decayNanos) {
        this.seed = seed;
        this.decayNanos = decayNanos;
    }

    @Override
    public Picker newPicker(EndpointSnapshot snapshot) {
        return new InFlightPicker(snapshot.serving(), seed, decayNanos);
    }

    @Override
    public String name() {
        return decayNanos == 0 ? "leastInFlight" : "peakEwma";
    }

    /**
     * Thread-safe: counters are atomics, the random state is one atomic long (SplitMix64), an outcome finds its
     * endpoint's counters through a map made with the picker. A pick and a report allocate nothing and do not
     * grow with the number of endpoints.
     */
    static final class InFlightPicker implements Picker {
        private final Endpoint[] endpoints;
        private final Optional<Endpoint>[] options;
        private final Map<Endpoint, Integer> index;
        private final AtomicLongArray inFlight;
        private final AtomicLong random;
        private final long decayNanos;
        /** Peak EWMA only: the average latency in nanoseconds (as double bits) and when it was last updated. */
        private final AtomicLongArray cost;
        private final AtomicLongArray stamp;

        @SuppressWarnings("unchecked")
        InFlightPicker(List<Endpoint> endpoints, long seed, long decayNanos) {
            this.endpoints = endpoints.toArray(new Endpoint[0]);
            this.options = new Optional[this.endpoints.length];
            this.index = new HashMap<>();
            for (int i = 0; i < this.endpoints.length; i++) {
                options[i] = Optional.of(this.endpoints[i]);
                index.put(this.endpoints[i], i);
            }
            this.inFlight = new AtomicLongArray(this.endpoints.length);
            this.random = new AtomicLong(seed);
            this.decayNanos = decayNanos;
            this.cost = decayNanos == 0 ? null : new AtomicLongArray(this.endpoints.length);
            this.stamp = decayNanos == 0 ? null : new AtomicLongArray(this.endpoints.length);
        }

        @Override
        public Optional<Endpoint> pick(Attempt attempt) {
            int n = endpoints.length;
            if (n == 0) {
                return Optional.empty();
            }
            int chosen;
            if (n == 1) {
                chosen = 0;
            } else {
                long r = next();
                int a = (int) Long.remainderUnsigned(r, n);
                int b = (int) Long.remainderUnsigned(r >>> 32, n - 1);
                if (b >= a) {
                    b++;
                }
                if (attempt.hasTried(endpoints[a]) && !attempt.hasTried(endpoints[b])) {
                    chosen = b;
                } else if (attempt.hasTried(endpoints[b]) && !attempt.hasTried(endpoints[a])) {
                    chosen = a;
                } else {
                    chosen = score(b) < score(a) ? b : a;
                }
            }
            inFlight.incrementAndGet(chosen);
            return options[chosen];
        }

        private double score(int i) {
            double load = inFlight.get(i);
            if (cost != null) {
                load = Double.longBitsToDouble(cost.get(i)) * (load + 1);
            }
            return load / endpoints[i].weight();
        }

        @Override
        public void onPickedElsewhere(Attempt attempt, Endpoint endpoint) {
            Integer i = index.get(endpoint);
            if (i != null) {
                inFlight.incrementAndGet(i);
            }
        }

        @Override
        public void onComplete(Attempt attempt, Outcome outcome) {
            Integer i = outcome.endpoint() == null ? null : index.get(outcome.endpoint());
            if (i == null) {
                return; // picked by an earlier picker, whose counters are gone with it
            }
            inFlight.decrementAndGet(i);
            if (cost != null && outcome.kind() != Outcome.Kind.CANCELLED) {
                long latency = Math.max(0, outcome.latencyNanos());
                observe(i, attempt.startNanos() + latency, latency); // when the answer came: no clock read
            }
        }

        /** A peak-sensitive EWMA: a slower answer than the average takes over at once, faster ones decay in. */
        private void observe(int i, long now, long latency) {
            long previousBits;
            long updated;
            do {
                previousBits = cost.get(i);
                double previous = Double.longBitsToDouble(previousBits);
                long elapsed = Math.max(0, now - stamp.get(i));
                double next;
                if (latency > previous) {
                    next = latency;
                } else {
                    double x = (double) elapsed / decayNanos;
                    double w = 1 / (1 + x + x * x / 2); // exp(-x) to within 2 % where it matters (x < 1)
                    next = previous * w + latency * (1 - w);
                }
                updated = Double.doubleToRawLongBits(next);
            } while (!cost.compareAndSet(i, previousBits, updated));
            stamp.set(i, now);
        }

        /** In flight on {@code endpoint} now: for tests and metrics. */
        long inFlight(Endpoint endpoint) {
            Integer i = index.get(endpoint);
            return i == null ? 0 : inFlight.get(i);
        }

        /** The moving average latency of {@code endpoint} in nanoseconds (peak EWMA only). */
        double cost(Endpoint endpoint) {
            Integer i = index.get(endpoint);
            return i == null || cost == null ? 0 : Double.longBitsToDouble(cost.get(i));
        }

        private long next() {
            long z = random.addAndGet(0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}
