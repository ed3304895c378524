package io.edgekit.balance;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Attempt;
import io.edgekit.core.Balancer;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointSnapshot;
import io.edgekit.core.EndpointState;
import io.edgekit.core.Outcome;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Slow start: an endpoint that is starting (added, or restored after an ejection or a drain) takes a share
 * of its picks that grows linearly from a tenth to all of them over the window, measured on the exchange's
 * clock from when it started. A pick of such an endpoint is kept with that probability, else the wrapped
 * picker picks again (at most twice). See {@link Balancers#slowStart}.
 */
final class SlowStartBalancer implements Balancer {
    private final Balancer inner;
    private final long windowNanos;

    SlowStartBalancer(Balancer inner, Duration window) {
        this.inner = requireNonNull(inner, "inner");
        requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window: " + window + " (expected: > 0)");
        }
        this.windowNanos = window.toNanos();
    }

    @Override
    public Picker newPicker(EndpointSnapshot snapshot) {
        Picker picker = inner.newPicker(snapshot);
        Map<Endpoint, Long> starting = new HashMap<>();
        for (EndpointState state : snapshot.all()) {
            if (state.status() == EndpointState.Status.STARTING) {
                starting.put(state.endpoint(), state.sinceNanos());
            }
        }
        return starting.isEmpty() ? picker : new RampingPicker(picker, starting, windowNanos);
    }

    @Override
    public String name() {
        return "slowStart(" + inner.name() + ")";
    }

    /** Keeps a starting endpoint's pick with its ramp's probability. Thread-safe as its inner picker is. */
    private static final class RampingPicker implements Picker {
        private final Picker inner;
        private final Map<Endpoint, Long> starting;
        private final long windowNanos;

        RampingPicker(Picker inner, Map<Endpoint, Long> starting, long windowNanos) {
            this.inner = inner;
            this.starting = starting;
            this.windowNanos = windowNanos;
        }

        @Override
        public Optional<Endpoint> pick(Attempt attempt) {
            Optional<Endpoint> picked = inner.pick(attempt);
            for (int again = 0; again < 2 && picked.isPresent() && !keeps(attempt, picked.get()); again++) {
                inner.onComplete(attempt, new Outcome(picked.get(), Outcome.Kind.CANCELLED, 0, 0)); // not sent
                picked = inner.pick(attempt);
            }
            return picked;
        }

        private boolean keeps(Attempt attempt, Endpoint endpoint) {
            Long since = starting.get(endpoint);
            if (since == null) {
                return true;
            }
            long elapsed = attempt.exchange().ticker().nanos() - since;
            if (elapsed >= windowNanos) {
                return true;
            }
            double share = 0.1 + 0.9 * Math.max(0, elapsed) / windowNanos;
            return ThreadLocalRandom.current().nextDouble() < share;
        }

        @Override
        public void onPickedElsewhere(Attempt attempt, Endpoint endpoint) {
            inner.onPickedElsewhere(attempt, endpoint);
        }

        @Override
        public void onComplete(Attempt attempt, Outcome outcome) {
            inner.onComplete(attempt, outcome);
        }
    }
}
