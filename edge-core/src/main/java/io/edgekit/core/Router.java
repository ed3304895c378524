package io.edgekit.core;

import java.util.List;
import java.util.Optional;

/**
 * Finds the route for a request. Pure: no I/O, no state changes; safe to call from any thread. The
 * edge's default is the indexed {@link RouteTable}; another router is plugged in with
 * {@link Edge.Builder#router(Router.Factory)}, compiled from the same routes whenever they change. A router
 * may only answer with routes it was compiled from (any other is a bug, answered 500).
 */
@FunctionalInterface
public interface Router {
    Optional<RouteMatch> match(Request request);

    /** Compiles routes into a router, off the request path, whenever the edge's routes change. */
    @FunctionalInterface
    interface Factory {
        /** The default: {@link RouteTable}, with paths case-insensitive when the edge's path options say so. */
        Factory INDEXED = (routes, options) -> RouteTable.compile(routes, options.caseInsensitive());

        Router compile(List<Route> routes, PathOptions options);
    }
}
