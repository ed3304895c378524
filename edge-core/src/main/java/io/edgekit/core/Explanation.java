package io.edgekit.core;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the edge would do with a request: the route that matches, its path parameters, the policies and
 * filters that would run in order, the target, and the path that would go upstream.
 */
public record Explanation(Optional<String> routeId, Map<String, String> pathParams, List<String> policies,
        List<String> filters, String target, String upstreamPath) {

    public Explanation {
        pathParams = Map.copyOf(pathParams);
        policies = List.copyOf(policies);
        filters = List.copyOf(filters);
    }

    public boolean matched() {
        return routeId.isPresent();
    }

    @Override
    public String toString() {
        if (routeId.isEmpty()) {
            return "no route matches: 404";
        }
        return "route '" + routeId.get() + "' " + pathParams + " policies " + policies + " filters " + filters
                + " -> " + target + " " + upstreamPath;
    }
}
