package io.edgekit.core;

import java.util.Optional;

/**
 * What a {@link Component} or {@link HealthChecker} gets when the edge starts: the edge's one clock and
 * background scheduler, the probe client, and the live endpoint groups.
 */
public interface EdgeContext {
    /** The clock every timeout, limiter, cache and ejection of this edge reads. */
    Ticker ticker();

    /** Runs background work (refreshes, probes) off the IO threads. */
    Scheduler scheduler();

    /** Sends requests to endpoints outside any client's request. */
    ProbeClient probes();

    /** The live endpoints of the upstream named {@code name}, if a route sends to it. */
    Optional<EndpointGroup> endpointGroup(String name);
}
