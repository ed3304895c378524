package io.edgekit.core;

/**
 * Watches the endpoints of one upstream and changes their state in its {@link EndpointGroup} (eject,
 * restore): the seam active health checks stand on. Set per upstream with
 * {@link Upstream.Builder#healthChecker}; started when the edge's runtime starts, with a
 * {@link ProbeClient} to send probes and the edge's scheduler, and closed when the runtime stops. Must
 * never block the thread that calls it or that runs its scheduled tasks for long.
 */
public interface HealthChecker {

    /** Starts watching {@code group}; the returned handle is closed at shutdown. */
    AutoCloseable start(EndpointGroup group, EdgeContext context);
}
