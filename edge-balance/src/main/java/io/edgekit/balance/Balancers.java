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
}
