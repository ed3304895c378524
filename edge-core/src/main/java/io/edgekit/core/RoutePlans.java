package io.edgekit.core;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The route table compiled for the request path: the table and, per route, everything a routed request
 * needs (policies in order, filters in order, the live endpoint groups of its target and mirror, its
 * timeouts and body limit). Immutable; published atomically by the edge.
 */
final class RoutePlans {
    final Router table;
    /** The routes, in the order given. */
    final List<Route> routes;
    private final Map<Route, Plan> plans;

    /** Everything a routed request needs, computed when the table is compiled. */
    /**
     * {@code targets} and {@code groups} are index-aligned: the route's upstream, or each side of its split
     * (empty for a handler), with its live endpoint group.
     */
    record Plan(Route route, Policy[] policies, Filter[] filters, Upstream[] targets, EndpointGroup[] groups,
            Split split, Timeouts timeouts, long maxRequestBodyBytes, EndpointGroup mirror) {
    }

    private RoutePlans(Router table, List<Route> routes, Map<Route, Plan> plans) {
        this.routes = List.copyOf(routes);
        this.table = table;
        this.plans = plans;
    }

    Plan plan(Route route) {
        return plans.get(route);
    }

    /**
     * Compiles {@code routes}: policies are the edge-wide ones, then those of every group that holds the
     * route (in the order the groups were added), then the route's; filters are the edge-wide ones, then
     * the route's. Endpoint groups come from {@code groups}, made on first sight of an upstream's name.
     */
    static RoutePlans compile(List<Route> routes, Edge edge, EndpointGroups groups) {
        Router table = edge.routerFactory.compile(List.copyOf(routes), edge.pathOptions);
        Map<Route, Plan> plans = new IdentityHashMap<>();
        Map<String, Upstream> seen = new java.util.HashMap<>();
        Map<String, Route> matches = new java.util.HashMap<>();
        for (Route route : routes) {
            String key = matchKey(route);
            Route earlier = matches.putIfAbsent(key, route);
            if (earlier != null) {
                throw new IllegalArgumentException("route '" + route.id() + "' can never match: route '" + earlier.id()
                        + "' before it matches the same requests (" + key + "); give one of them another host, path,"
                        + " method or header or query condition, or remove one");
            }
            for (Upstream upstream : route.targetUpstreams()) {
                checkSame(route, upstream, seen);
            }
            route.mirror().ifPresent(shadow -> checkSame(route, shadow, seen));
        }
        for (Route route : routes) {
            List<Policy> routePolicies = new ArrayList<>(edge.policies);
            for (RouteGroup group : edge.routeGroups) {
                if (group.contains(route)) {
                    routePolicies.addAll(group.policies());
                }
            }
            routePolicies.addAll(route.policies());
            List<Filter> routeFilters = new ArrayList<>(edge.filters);
            routeFilters.addAll(route.filters());
            long maxBody = route.maxRequestBodyBytes() >= 0 ? route.maxRequestBodyBytes() : edge.maxRequestBodyBytes;
            Upstream[] targets = route.targetUpstreams().toArray(new Upstream[0]);
            EndpointGroup[] targetGroups = new EndpointGroup[targets.length];
            for (int i = 0; i < targets.length; i++) {
                targetGroups[i] = groups.of(targets[i]);
            }
            EndpointGroup mirror = route.mirror().map(groups::of).orElse(null);
            plans.put(route, new Plan(route, routePolicies.toArray(new Policy[0]), routeFilters.toArray(new Filter[0]),
                    targets, targetGroups, route.split().orElse(null), route.timeouts().orElse(edge.timeouts), maxBody,
                    mirror));
        }
        groups.retain(seen.keySet());
        return new RoutePlans(table, routes, plans);
    }

    /** What decides which requests a route matches, written out: equal for two routes that match alike. */
    private static String matchKey(Route route) {
        StringBuilder key = new StringBuilder();
        key.append("hosts ").append(route.hosts().isEmpty() ? "any" : new java.util.TreeSet<>(route.hosts()));
        key.append(", path ").append(route.path());
        key.append(", methods ").append(route.methods().isEmpty() ? "any" : new java.util.TreeSet<>(route.methods()));
        conditions(key, "header", route.headerConditions());
        conditions(key, "query", route.queryConditions());
        return key.toString();
    }

    private static void conditions(StringBuilder key, String kind, List<Route.Condition> conditions) {
        java.util.TreeSet<String> each = new java.util.TreeSet<>();
        for (Route.Condition condition : conditions) {
            each.add(condition.name().toLowerCase(java.util.Locale.ROOT) + (condition.value() != null
                    ? "=" + condition.value() : condition.regex() != null ? "~" + condition.regex().pattern() : ""));
        }
        if (!each.isEmpty()) {
            key.append(", ").append(kind).append(' ').append(each);
        }
    }

    private static void checkSame(Route route, Upstream upstream, Map<String, Upstream> seen) {
        Upstream other = seen.putIfAbsent(upstream.name(), upstream);
        if (other != null && other != upstream && (!other.endpoints().equals(upstream.endpoints())
                || other.balancer() != upstream.balancer())) {
            throw new IllegalArgumentException("route '" + route.id() + "': upstream '" + upstream.name()
                    + "' is defined twice with different endpoints or balancers");
        }
    }
}
