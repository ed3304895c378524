package io.edgekit.balance;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Balancer;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointSnapshot;
import io.edgekit.core.EndpointState;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Narrows each snapshot before the balancer it wraps picks: priorities first (the lowest level that has
 * enough of its endpoints serving; a level below its healthy share spills over into the next level), then
 * the local zone (preferred while enough of its endpoints in the chosen levels serve, else every zone),
 * and panic below a healthy share of the whole upstream (every endpoint, ejected ones included: better
 * some requests fail than all). Decided once per snapshot, never per pick. See {@link Balancers#zoneAware}.
 */
final class ZoneAwareBalancer implements Balancer {
    private static final Logger logger = LoggerFactory.getLogger(ZoneAwareBalancer.class);

    private final Balancer inner;
    private final String localZone;
    private final int minHealthyPercent;
    private final int panicPercent;

    ZoneAwareBalancer(Balancer inner, String localZone, int minHealthyPercent, int panicPercent) {
        this.inner = requireNonNull(inner, "inner");
        this.localZone = requireNonNull(localZone, "localZone");
        if (minHealthyPercent < 0 || minHealthyPercent > 100) {
            throw new IllegalArgumentException("minHealthyPercent: " + minHealthyPercent + " (expected: 0-100)");
        }
        if (panicPercent < 0 || panicPercent > 100) {
            throw new IllegalArgumentException("panicPercent: " + panicPercent + " (expected: 0-100)");
        }
        this.minHealthyPercent = minHealthyPercent;
        this.panicPercent = panicPercent;
    }

    @Override
    public Picker newPicker(EndpointSnapshot snapshot) {
        return inner.newPicker(snapshot.withServing(choose(snapshot)));
    }

    /** The endpoints the wrapped balancer picks among, for this snapshot. */
    List<Endpoint> choose(EndpointSnapshot snapshot) {
        List<EndpointState> all = snapshot.all();
        if (all.isEmpty()) {
            return List.of();
        }
        int serving = 0;
        for (EndpointState state : all) {
            serving += state.isServing() ? 1 : 0;
        }
        if (serving * 100 < all.size() * panicPercent) {
            logger.warn("upstream '{}': {} of {} endpoints serving, below {} %: panic, using every endpoint",
                    snapshot.upstream(), serving, all.size(), panicPercent);
            List<Endpoint> everyone = new ArrayList<>();
            for (EndpointState state : all) {
                everyone.add(state.endpoint());
            }
            return everyone;
        }
        List<EndpointState> levels = priorityLevels(all);
        List<Endpoint> local = new ArrayList<>();
        int localTotal = 0;
        List<Endpoint> any = new ArrayList<>();
        for (EndpointState state : levels) {
            boolean inZone = state.endpoint().zone().equals(localZone);
            localTotal += inZone ? 1 : 0;
            if (state.isServing()) {
                any.add(state.endpoint());
                if (inZone) {
                    local.add(state.endpoint());
                }
            }
        }
        if (!localZone.isEmpty() && !local.isEmpty() && local.size() * 100 >= localTotal * minHealthyPercent) {
            return local;
        }
        return any;
    }

    /** The endpoints of the lowest priority levels that together have enough serving. */
    private List<EndpointState> priorityLevels(List<EndpointState> all) {
        List<EndpointState> chosen = new ArrayList<>();
        int lowest = Integer.MAX_VALUE;
        int highest = 0;
        for (EndpointState state : all) {
            lowest = Math.min(lowest, state.endpoint().priority());
            highest = Math.max(highest, state.endpoint().priority());
        }
        for (int level = lowest; level <= highest; level++) {
            int total = 0;
            int serving = 0;
            for (EndpointState state : all) {
                if (state.endpoint().priority() == level) {
                    chosen.add(state);
                    total++;
                    serving += state.isServing() ? 1 : 0;
                }
            }
            if (total > 0 && serving > 0 && serving * 100 >= total * minHealthyPercent) {
                return chosen; // this level (with the weaker ones before it) has enough
            }
        }
        return chosen; // every level together
    }

    @Override
    public String name() {
        return "zoneAware(" + inner.name() + ")";
    }
}
