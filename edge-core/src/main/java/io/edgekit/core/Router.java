package io.edgekit.core;

import java.util.Optional;

/** Finds the route for a request. Pure: no I/O, no state changes; safe to call from any thread. */
@FunctionalInterface
public interface Router {
    Optional<RouteMatch> match(Request request);
}
