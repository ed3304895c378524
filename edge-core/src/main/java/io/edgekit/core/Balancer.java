package io.edgekit.core;

import io.edgekit.core.internal.RoundRobinBalancer;
import java.util.Optional;

/**
 * The load-balancer role's extension point: chooses which endpoint gets an attempt. The engine asks
 * for a new {@link Picker} whenever the upstream's {@link EndpointGroup} changes (an endpoint added,
 * removed, re-weighted, drained, ejected or restored), with the new {@link EndpointSnapshot}; pickers must
 * be lock-free and allocation-free on {@link Picker#pick}.
 */
@FunctionalInterface
public interface Balancer {

    Picker newPicker(EndpointSnapshot snapshot);

    default String name() {
        return Names.of(this);
    }

    /** Picks for one snapshot of the endpoints. Thread-safe. */
    interface Picker {
        Optional<Endpoint> pick(Attempt attempt);

        /** Every attempt's ending, for pickers that learn (least in-flight, EWMA). */
        default void onComplete(Attempt attempt, Outcome outcome) {
        }

        /**
         * A picker wrapping this one (session affinity) picked {@code endpoint} for the attempt itself: a picker
         * that counts what it picked counts this too, so that {@link #onComplete} stays balanced.
         */
        default void onPickedElsewhere(Attempt attempt, Endpoint endpoint) {
        }
    }

    /**
     * Smooth weighted round robin: each endpoint gets its weight's share, spread out evenly (weights
     * 5, 1, 1 pick a a b a c a a). Endpoints already tried by this request are skipped when possible.
     */
    static Balancer roundRobin() {
        return RoundRobinBalancer.INSTANCE;
    }
}
