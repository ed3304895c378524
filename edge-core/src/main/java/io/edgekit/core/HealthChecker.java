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

    /** Several checkers on one upstream (discovery and active checks, say), started in order, closed in reverse. */
    static HealthChecker allOf(HealthChecker... checkers) {
        HealthChecker[] all = checkers.clone();
        for (HealthChecker checker : all) {
            java.util.Objects.requireNonNull(checker, "checker");
        }
        return (group, context) -> {
            AutoCloseable[] started = new AutoCloseable[all.length];
            for (int i = 0; i < all.length; i++) {
                started[i] = all[i].start(group, context);
            }
            return () -> {
                Exception first = null;
                for (int i = started.length - 1; i >= 0; i--) {
                    try {
                        started[i].close();
                    } catch (Exception e) {
                        first = first == null ? e : first;
                    }
                }
                if (first != null) {
                    throw first;
                }
            };
        };
    }
}
