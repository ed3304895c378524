package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One route: what it matches (hosts, path, methods, headers, query parameters), where it sends the
 * request (an {@link Upstream} or an in-process {@link Handler}), the policies and filters that run on
 * it, how the path and host are rewritten, and its limits. Immutable; built with {@link #named}.
 *
 * <h2>Which route wins</h2>
 * Hosts first: a route naming the exact host beats a wildcard host ({@code *.example.com}, longer
 * suffixes first), which beats a route for any host. Within a host the path decides, in the order of
 * {@link PathPattern.Kind}. Routes with the same path are tried by how many method, header and query
 * conditions they have (more first), then in the order they were added. The first route whose
 * conditions all hold wins.
 */
public final class Route {
    private final String id;
    private final List<String> hosts;
    private final PathPattern path;
    private final Set<String> methods;
    private final List<Condition> headers;
    private final List<Condition> queryParams;
    private final Upstream upstream;
    private final Split split;
    private final Handler handler;
    private final List<Policy> policies;
    private final List<Filter> filters;
    private final boolean stripPrefix;
    private final Pattern rewriteRegex;
    private final String rewriteReplacement;
    private final String upstreamHost;
    private final boolean upstreamHostFromEndpoint;
    private final Timeouts timeouts;
    private final long maxRequestBodyBytes;
    private final RetryRule retryRule;
    private final Upstream mirror;
    private final double mirrorFraction;

    private Route(Builder b) {
        this.id = b.id;
        this.hosts = List.copyOf(b.hosts);
        this.path = b.path;
        this.methods = Set.copyOf(b.methods);
        this.headers = List.copyOf(b.headers);
        this.queryParams = List.copyOf(b.queryParams);
        this.retryRule = b.retryRule;
        this.upstream = b.upstream;
        this.split = b.split;
        this.handler = b.handler;
        this.policies = List.copyOf(b.policies);
        this.filters = List.copyOf(b.filters);
        this.stripPrefix = b.stripPrefix;
        this.rewriteRegex = b.rewriteRegex;
        this.rewriteReplacement = b.rewriteReplacement;
        this.upstreamHost = b.upstreamHost;
        this.upstreamHostFromEndpoint = b.upstreamHostFromEndpoint;
        this.timeouts = b.timeouts;
        this.maxRequestBodyBytes = b.maxRequestBodyBytes;
        this.mirror = b.mirror;
        this.mirrorFraction = b.mirrorFraction;
    }

    /** The shadow upstream a sampled fraction of requests is copied to, if any. */
    public Optional<Upstream> mirror() {
        return Optional.ofNullable(mirror);
    }

    /** The fraction of requests copied to the {@link #mirror()} (0.0-1.0). */
    public double mirrorFraction() {
        return mirrorFraction;
    }

    public static Builder named(String id) {
        return new Builder(id);
    }

    public String id() {
        return id;
    }

    /** Host patterns, lower-case; empty for any host. */
    public List<String> hosts() {
        return hosts;
    }

    public PathPattern path() {
        return path;
    }

    /** Methods matched; empty for any method. */
    public Set<String> methods() {
        return methods;
    }

    public List<Condition> headerConditions() {
        return headers;
    }

    public List<Condition> queryConditions() {
        return queryParams;
    }

    public Optional<Upstream> upstream() {
        return Optional.ofNullable(upstream);
    }

    /** The retry rule of this route, when it overrides its upstream's. */
    public Optional<RetryRule> retryRule() {
        return Optional.ofNullable(retryRule);
    }

    /** The rule the engine asks for this route's attempts at {@code upstream}: the route's, else the upstream's. */
    RetryRule retryRuleFor(Upstream upstream) {
        return retryRule != null ? retryRule : upstream.retryRule();
    }

    /** The weighted split between upstreams this route sends to, if that is its target. */
    public Optional<Split> split() {
        return Optional.ofNullable(split);
    }

    /** Every upstream this route may send to: its upstream, or each side of its split. */
    public List<Upstream> targetUpstreams() {
        return upstream != null ? List.of(upstream) : split != null ? split.upstreams() : List.of();
    }

    public Optional<Handler> handler() {
        return Optional.ofNullable(handler);
    }

    public List<Policy> policies() {
        return policies;
    }

    public List<Filter> filters() {
        return filters;
    }

    public Optional<Timeouts> timeouts() {
        return Optional.ofNullable(timeouts);
    }

    /** The body limit of this route, or -1 to use the edge's. */
    public long maxRequestBodyBytes() {
        return maxRequestBodyBytes;
    }

    public boolean stripsPrefix() {
        return stripPrefix;
    }

    /** The Host header sent upstream when set; otherwise the client's Host is kept. */
    public Optional<String> upstreamHost() {
        return Optional.ofNullable(upstreamHost);
    }

    /** True when the Host header sent upstream is the chosen endpoint's address. */
    public boolean upstreamHostFromEndpoint() {
        return upstreamHostFromEndpoint;
    }

    /** How many method, header and query conditions this route has: more conditions are tried first. */
    int conditionCount() {
        return (methods.isEmpty() ? 0 : 1) + headers.size() + queryParams.size();
    }

    /** Whether the method, header and query conditions hold for {@code request}. */
    boolean conditionsHold(Request request) {
        if (!methods.isEmpty() && !methods.contains(request.method())) {
            return false;
        }
        for (int i = 0; i < headers.size(); i++) {
            Condition condition = headers.get(i);
            if (!condition.test(request.headers().firstOrNull(condition.name()))) {
                return false;
            }
        }
        if (!queryParams.isEmpty()) {
            for (int i = 0; i < queryParams.size(); i++) {
                Condition condition = queryParams.get(i);
                if (!condition.test(QueryParams.first(request.query(), condition.name()))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The path to send upstream for a request matched by this route. */
    String upstreamPath(String path) {
        String result = path;
        if (stripPrefix) {
            int strip = prefixLength(path);
            result = strip >= path.length() ? "/" : path.substring(strip);
            if (result.isEmpty() || result.charAt(0) != '/') {
                result = "/" + result;
            }
        }
        if (rewriteRegex != null) {
            result = rewriteRegex.matcher(result).replaceAll(rewriteReplacement);
        }
        return result;
    }

    private int prefixLength(String path) {
        int segments = this.path.segments().size();
        int index = 0;
        for (int s = 0; s < segments && index < path.length(); s++) {
            int next = path.indexOf('/', index + 1);
            index = next < 0 ? path.length() : next;
        }
        return index;
    }

    public Builder toBuilder() {
        Builder b = new Builder(id);
        b.hosts.addAll(hosts);
        b.path = path;
        b.methods.addAll(methods);
        b.headers.addAll(headers);
        b.queryParams.addAll(queryParams);
        b.retryRule = retryRule;
        b.upstream = upstream;
        b.split = split;
        b.handler = handler;
        b.policies.addAll(policies);
        b.filters.addAll(filters);
        b.stripPrefix = stripPrefix;
        b.rewriteRegex = rewriteRegex;
        b.rewriteReplacement = rewriteReplacement;
        b.upstreamHost = upstreamHost;
        b.upstreamHostFromEndpoint = upstreamHostFromEndpoint;
        b.timeouts = timeouts;
        b.maxRequestBodyBytes = maxRequestBodyBytes;
        b.mirror = mirror;
        b.mirrorFraction = mirrorFraction;
        return b;
    }

    @Override
    public String toString() {
        return "Route[" + id + " " + (hosts.isEmpty() ? "*" : hosts) + " " + path
                + (methods.isEmpty() ? "" : " " + methods) + "]";
    }

    /** A condition on a header or query parameter: present, equal to a value, or matching a regex. */
    public record Condition(String name, String value, Pattern regex) {
        public Condition {
            requireNonNull(name, "name");
        }

        boolean test(String actual) {
            if (actual == null) {
                return false;
            }
            if (value != null) {
                return value.equals(actual);
            }
            return regex == null || regex.matcher(actual).matches();
        }
    }

    /** Builds a {@link Route}. Scalar setters overwrite; list setters append in call order. */
    public static final class Builder {
        private static final Pattern METHOD = Pattern.compile("[A-Z][A-Z0-9_-]*");
        private static final Pattern HOST =
                Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*"
                        + "|\\[[0-9a-f:.]+\\]");

        private final String id;
        private final List<String> hosts = new ArrayList<>();
        private PathPattern path = PathPattern.of("/**");
        private final Set<String> methods = new LinkedHashSet<>();
        private final List<Condition> headers = new ArrayList<>();
        private final List<Condition> queryParams = new ArrayList<>();
        private RetryRule retryRule;
        private Upstream upstream;
        private Split split;
        private Handler handler;
        private final List<Policy> policies = new ArrayList<>();
        private final List<Filter> filters = new ArrayList<>();
        private boolean stripPrefix;
        private Pattern rewriteRegex;
        private String rewriteReplacement;
        private String upstreamHost;
        private boolean upstreamHostFromEndpoint;
        private Timeouts timeouts;
        private long maxRequestBodyBytes = -1;
        private Upstream mirror;
        private double mirrorFraction;

        private Builder(String id) {
            requireNonNull(id, "id");
            if (id.isBlank()) {
                throw new IllegalArgumentException("id: \"" + id + "\" (expected: a non-blank id)");
            }
            this.id = id;
        }

        /** Matches requests for {@code host}: exact ({@code api.example.com}) or {@code *.example.com}. */
        public Builder host(String host) {
            requireNonNull(host, "host");
            String lower = host.toLowerCase(Locale.ROOT);
            if (!HOST.matcher(lower).matches()) {
                throw new IllegalArgumentException("route '" + id + "': host: \"" + host
                        + "\" (expected: a host name, *.suffix or [IPv6])");
            }
            hosts.add(lower);
            return this;
        }

        /** The path pattern: exact, template or prefix; see {@link PathPattern#of}. */
        public Builder path(String pattern) {
            try {
                this.path = PathPattern.of(pattern);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("route '" + id + "': " + e.getMessage());
            }
            return this;
        }

        public Builder pathRegex(String regex) {
            try {
                this.path = PathPattern.regex(regex);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("route '" + id + "': " + e.getMessage());
            }
            return this;
        }

        public Builder methods(String... methods) {
            for (String method : methods) {
                requireNonNull(method, "method");
                if (!METHOD.matcher(method).matches()) {
                    throw new IllegalArgumentException("route '" + id + "': method: \"" + method
                            + "\" (expected: upper-case token such as GET)");
                }
                this.methods.add(method);
            }
            return this;
        }

        /** Matches when header {@code name} is present. */
        public Builder header(String name) {
            headers.add(new Condition(name, null, null));
            return this;
        }

        /** Matches when the first header {@code name} equals {@code value}. */
        public Builder header(String name, String value) {
            headers.add(new Condition(name, requireNonNull(value, "value"), null));
            return this;
        }

        public Builder headerRegex(String name, String regex) {
            headers.add(new Condition(name, null, compile("headerRegex", regex)));
            return this;
        }

        /** Matches when query parameter {@code name} is present. */
        public Builder query(String name) {
            queryParams.add(new Condition(name, null, null));
            return this;
        }

        /** Matches when the first query parameter {@code name} (percent-decoded) equals {@code value}. */
        public Builder query(String name, String value) {
            queryParams.add(new Condition(name, requireNonNull(value, "value"), null));
            return this;
        }

        /** Sends matched requests to {@code upstream}. */
        public Builder to(Upstream upstream) {
            this.upstream = requireNonNull(upstream, "upstream");
            this.handler = null;
            this.split = null;
            return this;
        }

        /** Answers matched requests in-process with {@code handler}. */
        public Builder to(Handler handler) {
            this.handler = requireNonNull(handler, "handler");
            this.upstream = null;
            this.split = null;
            return this;
        }

        /**
         * Whether a failed attempt of this route's requests is tried again, instead of the upstream's rule: a
         * route whose POSTs are safe to repeat, or one that must never retry.
         */
        public Builder retryRule(RetryRule rule) {
            this.retryRule = requireNonNull(rule, "rule");
            return this;
        }

        /** Splits matched requests between upstreams by weight (canaries, version rollouts). */
        public Builder to(Split split) {
            this.split = requireNonNull(split, "split");
            this.upstream = null;
            this.handler = null;
            return this;
        }

        public Builder policy(Policy policy) {
            policies.add(requireNonNull(policy, "policy"));
            return this;
        }

        public Builder filter(Filter filter) {
            filters.add(requireNonNull(filter, "filter"));
            return this;
        }

        /** Removes the matched prefix of a {@code /prefix/**} path: {@code /api/x} goes up as {@code /x}. */
        public Builder stripPrefix() {
            this.stripPrefix = true;
            return this;
        }

        /** Rewrites the upstream path (after any prefix strip) with a regex and replacement ({@code $1}). */
        public Builder rewritePath(String regex, String replacement) {
            this.rewriteRegex = compile("rewritePath", regex);
            this.rewriteReplacement = requireNonNull(replacement, "replacement");
            return this;
        }

        /** Sends {@code host} as the Host header upstream instead of the client's. */
        public Builder upstreamHost(String host) {
            requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("route '" + id + "': upstreamHost: \"\" (expected: a host)");
            }
            this.upstreamHost = host;
            this.upstreamHostFromEndpoint = false;
            return this;
        }

        /** Sends the chosen endpoint's address as the Host header upstream. */
        public Builder upstreamHostFromEndpoint() {
            this.upstreamHostFromEndpoint = true;
            this.upstreamHost = null;
            return this;
        }

        public Builder timeouts(Timeouts timeouts) {
            this.timeouts = requireNonNull(timeouts, "timeouts");
            return this;
        }

        /**
         * Copies {@code fraction} of the route's requests, fire and forget, to {@code shadow}: its
         * answers and failures never reach the client. Requests with a body are copied when it is in
         * memory or at most 64 KiB (then read before either request goes); others are not copied.
         */
        public Builder mirror(Upstream shadow, double fraction) {
            this.mirror = requireNonNull(shadow, "shadow");
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("route '" + id + "': mirror fraction: " + fraction
                        + " (expected: 0.0-1.0)");
            }
            this.mirrorFraction = fraction;
            return this;
        }

        public Builder maxRequestBodyBytes(long max) {
            if (max < 0) {
                throw new IllegalArgumentException("route '" + id + "': maxRequestBodyBytes: " + max
                        + " (expected: >= 0)");
            }
            this.maxRequestBodyBytes = max;
            return this;
        }

        private Pattern compile(String what, String regex) {
            requireNonNull(regex, "regex");
            try {
                return Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("route '" + id + "': " + what + ": \"" + regex
                        + "\" (expected: a Java regex): " + e.getDescription());
            }
        }

        public Route build() {
            if (upstream == null && handler == null && split == null) {
                throw new IllegalStateException("route '" + id + "': no target; call to(...) before build()");
            }
            if (stripPrefix && path.kind() != PathPattern.Kind.PREFIX) {
                throw new IllegalStateException("route '" + id + "': stripPrefix() needs a /prefix/** path, not "
                        + path);
            }
            return new Route(this);
        }
    }
}
