package io.edgekit.balance;

import io.edgekit.core.Attempt;
import io.edgekit.core.Balancer;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointSnapshot;
import io.edgekit.core.Outcome;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** Power of two choices on in-flight requests. See {@link Balancers#leastInFlight(long)}. */
final class LeastInFlightBalancer implements Balancer {
    private final long seed;

    LeastInFlightBalancer(long seed) {
        this.seed = seed;
    }

    @Override
    public Picker newPicker(EndpointSnapshot snapshot) {
        return new InFlightPicker(snapshot.serving(), seed);
    }

    @Override
    public String name() {
        return "leastInFlight";
    }

    /** Thread-safe: counters are atomics, the random state is one atomic long (SplitMix64). */
    static final class InFlightPicker implements Picker {
        private final Endpoint[] endpoints;
        private final Optional<Endpoint>[] options;
        private final AtomicLongArray inFlight;
        private final AtomicLong random;

        @SuppressWarnings("unchecked")
        InFlightPicker(List<Endpoint> endpoints, long seed) {
            this.endpoints = endpoints.toArray(new Endpoint[0]);
            this.options = new Optional[this.endpoints.length];
            for (int i = 0; i < this.endpoints.length; i++) {
                options[i] = Optional.of(this.endpoints[i]);
            }
            this.inFlight = new AtomicLongArray(this.endpoints.length);
            this.random = new AtomicLong(seed);
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
                    chosen = load(b) < load(a) ? b : a;
                }
            }
            inFlight.incrementAndGet(chosen);
            return options[chosen];
        }

        private double load(int i) {
            return (double) inFlight.get(i) / endpoints[i].weight();
        }

        @Override
        public void onComplete(Attempt attempt, Outcome outcome) {
            for (int i = 0; i < endpoints.length; i++) {
                if (endpoints[i].equals(outcome.endpoint())) {
                    inFlight.decrementAndGet(i);
                    return;
                }
            }
        }

        /** In flight on {@code endpoint} now: for tests and metrics. */
        long inFlight(Endpoint endpoint) {
            for (int i = 0; i < endpoints.length; i++) {
                if (endpoints[i].equals(endpoint)) {
                    return inFlight.get(i);
                }
            }
            return 0;
        }

        private long next() {
            long z = random.addAndGet(0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}
