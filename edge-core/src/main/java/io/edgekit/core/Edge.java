package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.internal.Forwarding;
import io.edgekit.core.internal.PathCanonicalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An edge as the user assembles it: routes, edge-wide decorators, policies and filters, route groups,
 * listeners, components, and the clock. Its request path lives in {@link EdgeRuntime} (see
 * {@link #runtime()}), which the server runtime (edge-proxy's {@code EdgeServer}) or the in-memory test kit
 * drives; this class is what an application configures, swaps and inspects.
 *
 * <p>A request's way: decorators (edge-wide, an onion around everything below), routing (404 when no
 * route matches), policies (edge-wide, the route groups', the route's; the first deny answers, keeping the
 * response headers earlier allows added), filters (edge-wide, then the route's, an onion), and the target:
 * an in-process {@link Handler}, an {@link Upstream} through the attempt unit (pick, admit, send, retry,
 * hedge), or a weighted {@link Split} of upstreams.
 *
 * <p>The route table is compiled into an immutable snapshot, off the request path, and published
 * atomically by {@link #updateRoutes}; a request keeps the snapshot it started with. Each upstream's
 * {@link EndpointGroup} outlives swaps. Thread-safe.
 */
public final class Edge {
    private static final Logger logger = LoggerFactory.getLogger(Edge.class);

    final List<Policy> policies;
    final List<Filter> filters;
    final Filter[] decorators;
    final List<RouteGroup> routeGroups;
    final TrustedProxies trustedProxies;
    final Timeouts timeouts;
    final long maxRequestBodyBytes;
    final PathOptions pathOptions;
    private final Set<String> edgeOnlyHeaders;
    /** Fixed fields removed from every inbound request, in canonical form (lower case, {@code -} for {@code _}). */
    private final Set<String> strippedBase;
    /**
     * Those and the fields the policies of the routes in force set ({@link Policy#ownedHeaders}): removed
     * from every inbound request, whatever their case or {@code _} spelling. Swapped with the routes.
     */
    volatile Set<String> strippedInbound;
    final UnderscoreHeaders underscores;
    final ForwardedFields forwardedFields;
    final boolean requestIdField;
    final ExchangeListener.Factory listeners;
    final Ticker ticker;
    final Scheduler scheduler;
    final List<Component> components;
    final Router.Factory routerFactory;
    final EndpointGroups groups;
    private final AtomicReference<RoutePlans> snapshot = new AtomicReference<>();
    private final EdgeRuntime runtime;

    private Edge(Builder b) {
        this.policies = List.copyOf(b.policies);
        this.filters = List.copyOf(b.filters);
        this.decorators = b.decorators.toArray(new Filter[0]);
        this.routeGroups = List.copyOf(b.routeGroups);
        this.trustedProxies = b.trustedProxies;
        this.timeouts = b.timeouts;
        this.maxRequestBodyBytes = b.maxRequestBodyBytes;
        this.pathOptions = b.pathOptions;
        Set<String> stripped = new HashSet<>(Forwarding.ROUTING_OVERRIDES);
        stripped.add(MIRROR_HEADER); // only the edge marks copies
        stripped.addAll(b.edgeOnlyHeaders);
        this.edgeOnlyHeaders = Set.copyOf(b.edgeOnlyHeaders);
        this.strippedBase = Set.copyOf(stripped.stream().map(Forwarding::canonicalName).toList());
        this.underscores = b.underscores;
        this.forwardedFields = b.forwardedFields;
        this.requestIdField = b.requestIdField;
        this.listeners = ExchangeListener.composeFactories(b.listeners);
        this.ticker = b.ticker;
        this.scheduler = b.scheduler != null ? b.scheduler : BackgroundScheduler.shared();
        this.components = List.copyOf(b.components);
        this.routerFactory = b.routerFactory;
        this.groups = new EndpointGroups(ticker, scheduler, listeners);
        this.snapshot.set(RoutePlans.compile(b.routes, this, groups));
        this.strippedInbound = stripped(b.routes);
        this.runtime = new EdgeRuntime(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The request path's side of this edge: for runtimes and test kits, not for configuration. */
    public EdgeRuntime runtime() {
        return runtime;
    }

    /** Whether responses (the edge's own included) and upstream requests carry {@code X-Request-Id}. */
    public boolean sendsRequestIdField() {
        return requestIdField;
    }

    public TrustedProxies trustedProxies() {
        return trustedProxies;
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    public long maxRequestBodyBytes() {
        return maxRequestBodyBytes;
    }

    public PathOptions pathOptions() {
        return pathOptions;
    }

    /** The clock every timeout, limiter, cache and ejection of this edge reads. */
    public Ticker ticker() {
        return ticker;
    }

    /** The scheduler background work runs on (health probes, refreshes, ejection ends). */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** Headers only the edge may set (lower-case): any a client sends are removed before routing. */
    public Set<String> edgeOnlyHeaders() {
        return edgeOnlyHeaders;
    }

    /** The routes in force now, in the order given. */
    public List<Route> routes() {
        return snapshot.get().routes;
    }

    /** The router in force now: a {@link RouteTable} unless another {@link Router.Factory} was set. */
    public Router router() {
        return snapshot.get().table;
    }

    /** The live endpoints of the upstream named {@code name}, if a route sends to it. */
    public Optional<EndpointGroup> endpointGroup(String name) {
        return groups.get(name);
    }

    /** Every live endpoint group, by upstream name. */
    public Map<String, EndpointGroup> endpointGroups() {
        return groups.all();
    }

    /** The fields removed from inbound requests while {@code routes} are in force. */
    private Set<String> stripped(List<Route> routes) {
        Set<String> all = new HashSet<>(strippedBase);
        List<Policy> every = new ArrayList<>(policies);
        routeGroups.forEach(group -> every.addAll(group.policies()));
        routes.forEach(route -> every.addAll(route.policies()));
        for (Policy policy : every) {
            for (String name : policy.ownedHeaders()) {
                all.add(Forwarding.canonicalName(name));
            }
        }
        return Set.copyOf(all);
    }

    RoutePlans plans() {
        return snapshot.get();
    }

    /**
     * Replaces the routes. The new table is compiled on the caller's thread and published atomically;
     * requests already in flight finish on the table they started with. The endpoint groups of upstreams
     * still named keep their state (ejections, drains, picker state) and take the new configuration.
     */
    public void updateRoutes(List<Route> routes) {
        RoutePlans next = RoutePlans.compile(routes, this, groups);
        strippedInbound = stripped(routes);
        snapshot.set(next);
        logger.info("routes updated: {} routes", routes.size());
    }

    /** Which route matches {@code request}, and which policies and filters would run, in order. */
    public Explanation explain(Request request) {
        RoutePlans snap = snapshot.get();
        PathCanonicalizer.Result path = PathCanonicalizer.canonicalize(request.path(), pathOptions);
        if (path.isRejected()) {
            return new Explanation(Optional.empty(), Map.of(), List.of(), List.of(), "400 " + path.rejection(), "");
        }
        request = request.withPath(path.path());
        Optional<RouteMatch> match = snap.table.match(request);
        if (match.isEmpty()) {
            return new Explanation(Optional.empty(), Map.of(), List.of(), List.of(), "404 no route", "");
        }
        RoutePlans.Plan plan = snap.plan(match.get().route());
        Route route = plan.route();
        List<String> policyNames = new ArrayList<>();
        for (Policy policy : plan.policies()) {
            policyNames.add(policy.name());
        }
        List<String> filterNames = new ArrayList<>();
        for (Filter filter : plan.filters()) {
            filterNames.add(filter.name());
        }
        String target = route.upstream().map(u -> "upstream '" + u.name() + "' " + u.endpoints())
                .or(() -> route.split().map(Split::toString))
                .orElseGet(() -> "handler " + route.handler().get().name());
        String upstreamPath = route.targetUpstreams().isEmpty() ? "" : route.upstreamPath(request.path());
        return new Explanation(Optional.of(route.id()), match.get().pathParams(), policyNames, filterNames,
                target, upstreamPath);
    }

    /** The header a mirrored copy carries: the request id of the original. */
    public static final String MIRROR_HEADER = "x-edgekit-mirror";

    /** Builds an {@link Edge}. Scalar setters overwrite; list setters append in call order. */
    public static final class Builder {
        private final List<Route> routes = new ArrayList<>();
        private final List<Policy> policies = new ArrayList<>();
        private final List<Filter> filters = new ArrayList<>();
        private TrustedProxies trustedProxies = TrustedProxies.none();
        private Timeouts timeouts = Timeouts.DEFAULT;
        private long maxRequestBodyBytes = 16L * 1024 * 1024;
        private PathOptions pathOptions = PathOptions.DEFAULT;
        private final Set<String> edgeOnlyHeaders = new HashSet<>();
        private UnderscoreHeaders underscores = UnderscoreHeaders.ALLOW;
        private ForwardedFields forwardedFields = ForwardedFields.ALL;
        private boolean requestIdField = true;
        private final List<Filter> decorators = new ArrayList<>();
        private final List<RouteGroup> routeGroups = new ArrayList<>();
        private final List<ExchangeListener.Factory> listeners = new ArrayList<>();
        private final List<Component> components = new ArrayList<>();
        private Ticker ticker = Ticker.system();
        private Scheduler scheduler;
        private Router.Factory routerFactory = Router.Factory.INDEXED;

        private Builder() {
        }

        /**
         * Which forwarding fields the edge adds for its hop (default {@link ForwardedFields#ALL}). Those
         * a client outside the trusted proxies sends are removed whatever the choice.
         */
        public Builder forwardedFields(ForwardedFields fields) {
            this.forwardedFields = requireNonNull(fields, "fields");
            return this;
        }

        /**
         * Whether the request id travels as {@code X-Request-Id}: to the upstream and back on every
         * response, the edge's own included (default true). Off, the edge still gives its own problem
         * responses an id, in their body, but no field carries one; a client's {@code X-Request-Id} is
         * removed either way, a trusted proxy's too when off.
         */
        public Builder requestIdField(boolean send) {
            this.requestIdField = send;
            return this;
        }

        /** How request paths are made canonical; see {@link PathOptions}. */
        public Builder paths(PathOptions options) {
            this.pathOptions = requireNonNull(options, "options");
            return this;
        }

        /**
         * Headers only the edge may set, such as the identity headers policies add: any a client
         * sends are removed before routing, whoever the client is, in any case and with {@code _} for
         * {@code -} ({@code X_User} goes when {@code x-user} is named). Fields a policy declares in
         * {@link Policy#ownedHeaders} are removed so without being named here.
         */
        public Builder edgeOnlyHeaders(String... names) {
            for (String name : names) {
                requireNonNull(name, "name");
                edgeOnlyHeaders.add(name.toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /** What to do with request fields whose name holds {@code _}: {@link UnderscoreHeaders#ALLOW} by default. */
        public Builder headersWithUnderscores(UnderscoreHeaders action) {
            this.underscores = requireNonNull(action, "action");
            return this;
        }

        public Builder route(Route route) {
            routes.add(requireNonNull(route, "route"));
            return this;
        }

        public Builder routes(List<Route> routes) {
            for (Route route : routes) {
                route(route);
            }
            return this;
        }

        /** An edge-wide policy: runs before every route's own policies. */
        public Builder policy(Policy policy) {
            policies.add(requireNonNull(policy, "policy"));
            return this;
        }

        /** An edge-wide filter: wraps every route's own filters. */
        public Builder filter(Filter filter) {
            filters.add(requireNonNull(filter, "filter"));
            return this;
        }

        /**
         * An edge-wide decorator: wraps routing, policies and everything after them, in the order added
         * (the first is outermost), so it sees every request, the edge's own 400 and 404 and every policy
         * denial included, and may answer before routing (a CORS preflight before auth denies it).
         */
        public Builder decorator(Filter decorator) {
            decorators.add(requireNonNull(decorator, "decorator"));
            return this;
        }

        /** How routes are matched (default {@link Router.Factory#INDEXED}, the indexed {@link RouteTable}). */
        public Builder router(Router.Factory factory) {
            this.routerFactory = requireNonNull(factory, "factory");
            return this;
        }

        /** Policies shared by the routes under a path prefix; see {@link RouteGroup}. */
        public Builder group(RouteGroup group) {
            routeGroups.add(requireNonNull(group, "group"));
            return this;
        }

        /** Listens to every exchange; several listeners are told in the order added. */
        public Builder listener(ExchangeListener.Factory factory) {
            listeners.add(requireNonNull(factory, "factory"));
            return this;
        }

        /** Background work started with the runtime in the order added and closed in reverse. */
        public Builder component(Component component) {
            components.add(requireNonNull(component, "component"));
            return this;
        }

        /** The clock every timeout, limiter, cache and ejection reads (default {@link Ticker#system()}). */
        public Builder ticker(Ticker ticker) {
            this.ticker = requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Where background work runs (health probes, refreshes, the end of an ejection); default: one
         * daemon thread shared by the edges of the process. Request-path timers run on the runtime's IO
         * threads, not here.
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = requireNonNull(scheduler, "scheduler");
            return this;
        }

        public Builder trustedProxies(TrustedProxies trustedProxies) {
            this.trustedProxies = requireNonNull(trustedProxies, "trustedProxies");
            return this;
        }

        /** The timeouts of routes that set none. */
        public Builder timeouts(Timeouts timeouts) {
            this.timeouts = requireNonNull(timeouts, "timeouts");
            return this;
        }

        /** The request body limit of routes that set none (default 16 MiB); larger bodies get 413. */
        public Builder maxRequestBodyBytes(long max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxRequestBodyBytes: " + max + " (expected: >= 0)");
            }
            this.maxRequestBodyBytes = max;
            return this;
        }

        public Edge build() {
            return new Edge(this);
        }
    }
}
