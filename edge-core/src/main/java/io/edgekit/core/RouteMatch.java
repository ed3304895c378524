package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/** A route that matched a request, with the values of its path template's parameters. */
public record RouteMatch(Route route, Map<String, String> pathParams) {
    public RouteMatch {
        requireNonNull(route, "route");
        pathParams = Map.copyOf(pathParams);
    }

    public Optional<String> pathParam(String name) {
        return Optional.ofNullable(pathParams.get(name));
    }
}
