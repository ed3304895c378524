package io.edgekit.balance;

import io.edgekit.core.Attempt;
import io.edgekit.core.Endpoint;
import java.util.Optional;

/** The walk every balancer of this module ends a pick with: from a starting place, skip what was tried. */
final class Untried {
    private Untried() {
    }

    /**
     * The first of {@code places} from {@code start} on (wrapping) that the attempt has not tried, else the one
     * at {@code start}: a retry goes elsewhere when it can.
     */
    static Optional<Endpoint> from(Attempt attempt, Optional<Endpoint>[] places, int start) {
        if (attempt.tried().isEmpty()) {
            return places[start];
        }
        for (int i = 0; i < places.length; i++) {
            Optional<Endpoint> place = places[(start + i) % places.length];
            if (!attempt.hasTried(place.get())) {
                return place;
            }
        }
        return places[start];
    }
}
