package io.edgekit.balance;

import io.edgekit.core.Attempt;
import io.edgekit.core.Balancer;
import io.edgekit.core.Endpoint;
import io.edgekit.core.Outcome;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the consistent-hash pickers share: a request's key hashes to a place in the picker's own array of
 * places (a ring's points, a Maglev table), from which the first untried endpoint takes it (the first under
 * the bound, with bounded load); requests without a key go round robin. Thread-safe.
 */
abstract class HashingPicker implements Balancer.Picker {
    private final HashKey key;
    /** The serving endpoints, in the snapshot's order. */
    final Optional<Endpoint>[] options;
    private final AtomicInteger next = new AtomicInteger();
    private final BoundedLoad bounded;

    @SuppressWarnings("unchecked")
    HashingPicker(HashKey key, List<Endpoint> endpoints, double loadFactor) {
        this.key = key;
        this.bounded = loadFactor > 0 ? new BoundedLoad(endpoints, loadFactor) : null;
        this.options = new Optional[endpoints.size()];
        for (int i = 0; i < options.length; i++) {
            options[i] = Optional.of(endpoints.get(i));
        }
    }

    /** The places a key's hash lands among: each names an endpoint. */
    abstract Optional<Endpoint>[] places();

    /** The place {@code hash} lands on, an index into {@link #places()}. */
    abstract int place(long hash);

    @Override
    public final Optional<Endpoint> pick(Attempt attempt) {
        Optional<Endpoint>[] places = places();
        if (places.length == 0) {
            return Optional.empty();
        }
        long hash = key.hash(attempt);
        if (hash == HashKey.ABSENT) {
            return Untried.from(attempt, options, Math.floorMod(next.getAndIncrement(), options.length));
        }
        int start = place(hash);
        return bounded == null ? Untried.from(attempt, places, start) : bounded.pick(attempt, places, start);
    }

    @Override
    public final void onPickedElsewhere(Attempt attempt, Endpoint endpoint) {
        if (bounded != null && key.hash(attempt) != HashKey.ABSENT) {
            bounded.placedElsewhere(endpoint);
        }
    }

    @Override
    public final void onComplete(Attempt attempt, Outcome outcome) {
        if (bounded != null && key.hash(attempt) != HashKey.ABSENT) {
            bounded.release(outcome.endpoint());
        }
    }
}
