package io.edgekit.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A compiled, immutable route table: the {@link Router} the edge uses. Compiling indexes routes by host
 * (a hash map, then wildcard suffixes) and path (a hash map for exact paths, a segment trie for
 * templates and prefixes), so a lookup costs about one hash probe per host level and path segment,
 * whatever the number of routes; only regex routes are scanned, and only when nothing else matched.
 * See {@link Route} for which route wins. Thread-safe.
 */
public final class RouteTable implements Router {
    private static final Comparator<Route> BY_CONDITIONS =
            Comparator.comparingInt(Route::conditionCount).reversed();

    private final List<Route> routes;
    private final Map<String, PathTable> exactHosts;
    /** Wildcard host suffixes ({@code .example.com}), longest first. */
    private final String[] wildcardSuffixes;
    private final PathTable[] wildcardTables;
    private final PathTable anyHost;

    private RouteTable(List<Route> routes, boolean caseInsensitive) {
        this.routes = List.copyOf(routes);
        Map<String, List<Route>> byExact = new LinkedHashMap<>();
        Map<String, List<Route>> byWildcard = new LinkedHashMap<>();
        List<Route> any = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Route route : routes) {
            if (!ids.add(route.id())) {
                throw new IllegalArgumentException("route '" + route.id() + "': id used by two routes");
            }
            if (route.hosts().isEmpty()) {
                any.add(route);
            }
            for (String host : route.hosts()) {
                if (host.startsWith("*.")) {
                    byWildcard.computeIfAbsent(host.substring(1), h -> new ArrayList<>()).add(route);
                } else {
                    byExact.computeIfAbsent(host, h -> new ArrayList<>()).add(route);
                }
            }
        }
        this.exactHosts = new HashMap<>();
        byExact.forEach((host, list) -> exactHosts.put(host, new PathTable(list, caseInsensitive)));
        List<String> suffixes = new ArrayList<>(byWildcard.keySet());
        suffixes.sort(Comparator.comparingInt(String::length).reversed());
        this.wildcardSuffixes = suffixes.toArray(new String[0]);
        this.wildcardTables = new PathTable[suffixes.size()];
        for (int i = 0; i < suffixes.size(); i++) {
            wildcardTables[i] = new PathTable(byWildcard.get(suffixes.get(i)), caseInsensitive);
        }
        this.anyHost = new PathTable(any, caseInsensitive);
    }

    /** Compiles {@code routes}; fails when two routes share an id. */
    public static RouteTable compile(List<Route> routes) {
        return new RouteTable(routes, false);
    }

    /**
     * Compiles {@code routes}; with {@code caseInsensitive}, literal path segments are lower-cased so
     * they match the lower-cased canonical paths of {@code PathOptions.caseInsensitive()}.
     */
    public static RouteTable compile(List<Route> routes, boolean caseInsensitive) {
        return new RouteTable(routes, caseInsensitive);
    }

    public static RouteTable empty() {
        return new RouteTable(List.of(), false);
    }

    /** The routes in the order they were added. */
    public List<Route> routes() {
        return routes;
    }

    public Optional<Route> route(String id) {
        for (Route route : routes) {
            if (route.id().equals(id)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<RouteMatch> match(Request request) {
        // the host is looked at only when some route names one
        String host = exactHosts.isEmpty() && wildcardSuffixes.length == 0 ? "" : request.host();
        String path = request.path();
        String[] segments = null;
        PathTable exact = exactHosts.isEmpty() ? null : exactHosts.get(host);
        if (exact != null) {
            segments = splitIfNeeded(exact, path, null);
            RouteMatch match = exact.match(request, path, segments);
            if (match != null) {
                return Optional.of(match);
            }
        }
        for (int i = 0; i < wildcardSuffixes.length; i++) {
            String suffix = wildcardSuffixes[i];
            if (host.length() > suffix.length() && host.endsWith(suffix)) {
                segments = splitIfNeeded(wildcardTables[i], path, segments);
                RouteMatch match = wildcardTables[i].match(request, path, segments);
                if (match != null) {
                    return Optional.of(match);
                }
            }
        }
        segments = splitIfNeeded(anyHost, path, segments);
        return Optional.ofNullable(anyHost.match(request, path, segments));
    }

    private static String[] splitIfNeeded(PathTable table, String path, String[] segments) {
        if (segments != null || !table.hasTrie) {
            return segments;
        }
        return PathPattern.split(path).toArray(new String[0]);
    }

    /** The routes of one host level. */
    private static final class PathTable {
        final Map<String, Route[]> exact = new HashMap<>();
        final Node root = new Node();
        final boolean hasTrie;
        final Route[] regex;

        PathTable(List<Route> routes, boolean caseInsensitive) {
            Map<String, List<Route>> exactLists = new HashMap<>();
            List<Route> regexList = new ArrayList<>();
            boolean trie = false;
            for (Route route : routes) {
                PathPattern pattern = route.path();
                switch (pattern.kind()) {
                    case EXACT:
                        exactLists.computeIfAbsent(fold(pattern.text(), caseInsensitive), p -> new ArrayList<>())
                                .add(route);
                        break;
                    case TEMPLATE:
                        root.descend(pattern.segments(), caseInsensitive).templates.add(route);
                        trie = true;
                        break;
                    case PREFIX:
                        root.descend(pattern.segments(), caseInsensitive).prefixes.add(route);
                        trie = true;
                        break;
                    default:
                        regexList.add(route);
                }
            }
            exactLists.forEach((path, list) -> exact.put(path, sorted(list)));
            root.freeze();
            this.hasTrie = trie;
            this.regex = regexList.toArray(new Route[0]);
        }

        RouteMatch match(Request request, String path, String[] segments) {
            Route[] exactRoutes = exact.isEmpty() ? null : exact.get(path);
            if (exactRoutes != null) {
                Route route = firstHolding(exactRoutes, request);
                if (route != null) {
                    return new RouteMatch(route, Map.of());
                }
            }
            if (hasTrie) {
                Route route = root.findTemplate(segments, 0, request);
                if (route == null) {
                    route = root.findPrefix(segments, 0, request);
                }
                if (route != null) {
                    return new RouteMatch(route, params(route.path(), segments));
                }
            }
            for (Route route : regex) {
                if (route.path().matchesRegex(path) && route.conditionsHold(request)) {
                    return new RouteMatch(route, Map.of());
                }
            }
            return null;
        }
    }

    private static Route firstHolding(Route[] candidates, Request request) {
        for (Route route : candidates) {
            if (route.conditionsHold(request)) {
                return route;
            }
        }
        return null;
    }

    private static Map<String, String> params(PathPattern pattern, String[] segments) {
        if (pattern.paramNames().isEmpty()) {
            return Map.of();
        }
        Map<String, String> params = new HashMap<>(4);
        List<String> patternSegments = pattern.segments();
        for (int i = 0; i < patternSegments.size(); i++) {
            String segment = patternSegments.get(i);
            if (PathPattern.isParam(segment)) {
                params.put(segment.substring(1, segment.length() - 1), segments[i]);
            }
        }
        return params;
    }

    private static String fold(String literal, boolean caseInsensitive) {
        return caseInsensitive && !PathPattern.isParam(literal) ? literal.toLowerCase(Locale.ROOT) : literal;
    }

    private static Route[] sorted(List<Route> routes) {
        List<Route> copy = new ArrayList<>(routes);
        copy.sort(BY_CONDITIONS); // stable: equal counts keep the order routes were added
        return copy.toArray(new Route[0]);
    }

    /** A trie node: literal children, one parameter child, and the routes ending here. */
    private static final class Node {
        final Map<String, Node> literals = new HashMap<>();
        Node param;
        List<Route> templates = new ArrayList<>();
        List<Route> prefixes = new ArrayList<>();
        Route[] templateArray;
        Route[] prefixArray;

        Node descend(List<String> segments, boolean caseInsensitive) {
            Node node = this;
            for (String raw : segments) {
                String segment = fold(raw, caseInsensitive);
                if (PathPattern.isParam(segment)) {
                    if (node.param == null) {
                        node.param = new Node();
                    }
                    node = node.param;
                } else {
                    node = node.literals.computeIfAbsent(segment, s -> new Node());
                }
            }
            return node;
        }

        void freeze() {
            templateArray = sorted(templates);
            prefixArray = sorted(prefixes);
            templates = null;
            prefixes = null;
            literals.values().forEach(Node::freeze);
            if (param != null) {
                param.freeze();
            }
        }

        /** The first template route matching all of {@code segments}; literal branches before parameters. */
        Route findTemplate(String[] segments, int index, Request request) {
            if (index == segments.length) {
                return templateArray.length == 0 ? null : firstHolding(templateArray, request);
            }
            Node literal = literals.isEmpty() ? null : literals.get(segments[index]);
            if (literal != null) {
                Route route = literal.findTemplate(segments, index + 1, request);
                if (route != null) {
                    return route;
                }
            }
            if (param != null && !segments[index].isEmpty()) {
                return param.findTemplate(segments, index + 1, request);
            }
            return null;
        }

        /** The deepest prefix route covering {@code segments}; literal branches before parameters. */
        Route findPrefix(String[] segments, int index, Request request) {
            if (index < segments.length) {
                Node literal = literals.isEmpty() ? null : literals.get(segments[index]);
                if (literal != null) {
                    Route route = literal.findPrefix(segments, index + 1, request);
                    if (route != null) {
                        return route;
                    }
                }
                if (param != null && !segments[index].isEmpty()) {
                    Route route = param.findPrefix(segments, index + 1, request);
                    if (route != null) {
                        return route;
                    }
                }
            }
            return prefixArray.length == 0 ? null : firstHolding(prefixArray, request);
        }
    }
}
