package io.edgekit.balance;

import io.edgekit.core.Attempt;
import io.edgekit.core.Endpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam): walking on from a key's place in
 * a table or ring, the first endpoint not tried whose requests in flight are under the load factor times
 * the mean (counting this request) takes it, so one hot key cannot overload an endpoint. Counts only the
 * requests it placed. Thread-safe and lock-free.
 */
final class BoundedLoad {
    private final double loadFactor;
    private final int endpoints;
    private final Map<Endpoint, Integer> index = new HashMap<>();
    private final AtomicLongArray inFlight;
    private final AtomicLong total = new AtomicLong();

    BoundedLoad(List<Endpoint> endpoints, double loadFactor) {
        this.loadFactor = loadFactor;
        this.endpoints = endpoints.size();
        this.inFlight = new AtomicLongArray(endpoints.size());
        for (int i = 0; i < endpoints.size(); i++) {
            index.put(endpoints.get(i), i);
        }
    }

    /** Walks {@code places} from {@code start}; falls back to the first untried place when all are full. */
    Optional<Endpoint> pick(Attempt attempt, Optional<Endpoint>[] places, int start) {
        long bound = (long) Math.ceil(loadFactor * (total.get() + 1) / endpoints);
        Optional<Endpoint> fallback = null;
        for (int i = 0; i < places.length; i++) {
            Optional<Endpoint> option = places[(start + i) % places.length];
            if (attempt.hasTried(option.get())) {
                continue;
            }
            int at = index.get(option.get());
            if (fallback == null) {
                fallback = option;
            }
            if (inFlight.get(at) < bound) {
                return taken(at, option);
            }
            if (i >= 4 * endpoints + 16) {
                break; // every endpoint has been met several times: all at the bound
            }
        }
        Optional<Endpoint> chosen = fallback != null ? fallback : places[start];
        return taken(index.get(chosen.get()), chosen);
    }

    private Optional<Endpoint> taken(int at, Optional<Endpoint> option) {
        inFlight.incrementAndGet(at);
        total.incrementAndGet();
        return option;
    }

    /** A request placed elsewhere (a sticky pick) counts as this one's. */
    void placedElsewhere(Endpoint endpoint) {
        Integer at = index.get(endpoint);
        if (at != null) {
            inFlight.incrementAndGet(at);
            total.incrementAndGet();
        }
    }

    /** A request this placed is over. */
    void release(Endpoint endpoint) {
        Integer at = endpoint == null ? null : index.get(endpoint);
        if (at != null) {
            inFlight.decrementAndGet(at);
            total.decrementAndGet();
        }
    }
}
