package io.edgekit.balance;

import io.edgekit.core.Balancer;

/**
 * The load-balancer role's built-in balancers. Every picker is lock-free and allocation-free on
 * {@code pick}, and picks among the endpoints its {@link io.edgekit.core.EndpointSnapshot} says are serving;
 * the engine makes a new picker whenever the upstream's endpoint group changes, and a picker's state (such
 * as in-flight counts) starts afresh with it.
 */
public final class Balancers {
    private Balancers() {
    }

    /** Smooth weighted round robin: each endpoint gets its weight's share, spread evenly. */
    public static Balancer roundRobin() {
        return Balancer.roundRobin();
    }

    /**
     * Power of two choices on requests in flight: each pick samples two endpoints at random and takes
     * the one with fewer requests in flight (weights divide the count). Adapts to slow endpoints
     * without coordination; random choices come from {@code seed} for repeatable tests.
     */
    public static Balancer leastInFlight(long seed) {
        return new LeastInFlightBalancer(seed);
    }

    /** {@link #leastInFlight(long)} seeded from the clock. */
    public static Balancer leastInFlight() {
        return new LeastInFlightBalancer(System.nanoTime());
    }

    /**
     * Uniformly at random among the serving endpoints (weights ignored); a retry avoids endpoints already
     * tried when it can.
     */
    public static Balancer random() {
        return new RandomBalancer();
    }

    /**
     * Consistent hashing on a ring with 100 virtual nodes per unit of weight: requests with the same key go to
     * the same endpoint while it serves; removing one of N endpoints moves only its keys, about 1/N. Spread is
     * uneven by up to about a third at this ring size (more virtual nodes even it out; {@link #maglev} is even
     * to within a few percent).
     */
    public static Balancer ringHash(HashKey key) {
        return ringHash(key, 100);
    }

    /** {@link #ringHash(HashKey)} with {@code virtualNodes} points per unit of weight (1-1000). */
    public static Balancer ringHash(HashKey key, int virtualNodes) {
        java.util.Objects.requireNonNull(key, "key");
        if (virtualNodes < 1 || virtualNodes > 1000) {
            throw new IllegalArgumentException("virtualNodes: " + virtualNodes + " (expected: 1-1000)");
        }
        return new RingHashBalancer(key, virtualNodes);
    }

    /**
     * {@link #ringHash(HashKey)} with bounded load: a key's endpoint is passed over for the next one along
     * the ring while it has more than {@code loadFactor} times the mean requests in flight.
     */
    public static Balancer ringHash(HashKey key, int virtualNodes, double loadFactor) {
        ringHash(key, virtualNodes); // the same checks
        if (!(loadFactor >= 1 && loadFactor <= 10)) {
            throw new IllegalArgumentException("loadFactor: " + loadFactor + " (expected: 1-10)");
        }
        return new RingHashBalancer(key, virtualNodes, loadFactor);
    }

    /**
     * Maglev consistent hashing with a table of 65,537 slots: a pick is one array read whatever the number of
     * endpoints; removing one of N endpoints moves about 1/N of the keys.
     */
    public static Balancer maglev(HashKey key) {
        java.util.Objects.requireNonNull(key, "key");
        return new MaglevBalancer(key, MaglevBalancer.DEFAULT_TABLE_SIZE);
    }

    /**
     * Power of two choices on a peak-EWMA latency score: each pick samples two endpoints and takes the one
     * whose moving average of response-head latency times (requests in flight + 1), over weight, is lower. A
     * slow answer raises an endpoint's average at once; faster ones bring it down with a time constant of
     * {@code decay}. Steers away from slow endpoints before they queue. Random choices come from {@code seed}.
     */
    public static Balancer peakEwma(java.time.Duration decay, long seed) {
        java.util.Objects.requireNonNull(decay, "decay");
        if (decay.isNegative() || decay.isZero()) {
            throw new IllegalArgumentException("decay: " + decay + " (expected: > 0)");
        }
        return new LeastInFlightBalancer(seed, decay.toNanos());
    }

    /** {@link #peakEwma(java.time.Duration, long)} with a 10 s time constant, seeded from the clock. */
    public static Balancer peakEwma() {
        return peakEwma(java.time.Duration.ofSeconds(10), System.nanoTime());
    }

    /**
     * Wraps {@code inner} with priorities, zones and panic: picks among the lowest priority level that has at
     * least {@code minHealthyPercent} of its endpoints serving (spilling over into the next levels otherwise),
     * in {@code localZone} while at least that share of its endpoints there serve (else in every zone), and
     * among every endpoint, ejected ones included, when fewer than {@code panicPercent} of the upstream's
     * endpoints serve. Decided once per endpoint snapshot, never per pick.
     */
    public static Balancer zoneAware(Balancer inner, String localZone, int minHealthyPercent, int panicPercent) {
        return new ZoneAwareBalancer(inner, localZone, minHealthyPercent, panicPercent);
    }

    /**
     * Wraps {@code inner} with slow start: a starting endpoint (added, or back after an ejection or a drain)
     * gets from a tenth to all of its share of picks, growing linearly over {@code window}.
     */
    public static Balancer slowStart(Balancer inner, java.time.Duration window) {
        return new SlowStartBalancer(inner, window);
    }

    /**
     * {@link #maglev(HashKey)} with bounded load: a key's endpoint is skipped for the next one along the
     * table while it has more than {@code loadFactor} times the mean requests in flight (1.25 is common), so
     * one hot key cannot overload an endpoint; keys move back when the load falls.
     */
    public static Balancer maglev(HashKey key, double loadFactor) {
        java.util.Objects.requireNonNull(key, "key");
        if (!(loadFactor >= 1 && loadFactor <= 10)) {
            throw new IllegalArgumentException("loadFactor: " + loadFactor + " (expected: 1-10)");
        }
        return new MaglevBalancer(key, MaglevBalancer.DEFAULT_TABLE_SIZE, loadFactor);
    }
}
