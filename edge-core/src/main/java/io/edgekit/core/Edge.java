package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.internal.BytesBody;
import io.edgekit.core.internal.EngineAttrs;
import io.edgekit.core.internal.Forwarding;
import io.edgekit.core.internal.PathCanonicalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: one request's way through the edge. {@link #accept} makes the inbound request canonical
 * (forwarding headers, request id, client address); {@link #handle} routes it, runs the policies
 * (edge-wide, then the route's; the first deny answers), the filters (edge-wide, then the route's, an
 * onion), and the target: an in-process {@link Handler}, or an {@link Upstream} through the attempt
 * loop (pick an endpoint, send through the {@link Transport}, report the outcome, try another endpoint
 * when connecting failed).
 *
 * <p>The route table is compiled into an immutable snapshot, off the request path, and published
 * atomically by {@link #updateRoutes}; a request keeps the snapshot it started with. Thread-safe.
 */
public final class Edge {
    private static final Logger logger = LoggerFactory.getLogger(Edge.class);

    private final List<Policy> policies;
    private final List<Filter> filters;
    private final TrustedProxies trustedProxies;
    private final Timeouts timeouts;
    private final long maxRequestBodyBytes;
    private final PathOptions pathOptions;
    private final Set<String> edgeOnlyHeaders;
    /** Edge-only headers and routing overrides, lower-case: removed from every inbound request. */
    private final Set<String> strippedInbound;
    private final ForwardedFields forwardedFields;
    private final boolean requestIdField;
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();

    private Edge(Builder b) {
        this.policies = List.copyOf(b.policies);
        this.filters = List.copyOf(b.filters);
        this.trustedProxies = b.trustedProxies;
        this.timeouts = b.timeouts;
        this.maxRequestBodyBytes = b.maxRequestBodyBytes;
        this.pathOptions = b.pathOptions;
        Set<String> stripped = new HashSet<>(Forwarding.ROUTING_OVERRIDES);
        stripped.add(MIRROR_HEADER); // only the edge marks copies
        stripped.addAll(b.edgeOnlyHeaders);
        this.edgeOnlyHeaders = Set.copyOf(b.edgeOnlyHeaders);
        this.strippedInbound = Set.copyOf(stripped);
        this.forwardedFields = b.forwardedFields;
        this.requestIdField = b.requestIdField;
        this.snapshot.set(compile(b.routes, null));
    }

    /** Whether responses (the edge's own included) and upstream requests carry {@code X-Request-Id}. */
    public boolean sendsRequestIdField() {
        return requestIdField;
    }

    public static Builder builder() {
        return new Builder();
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

    /** Headers only the edge may set (lower-case): any a client sends are removed before routing. */
    public Set<String> edgeOnlyHeaders() {
        return edgeOnlyHeaders;
    }

    /** The route table in force now. */
    public RouteTable routeTable() {
        return snapshot.get().table;
    }

    /**
     * Replaces the routes. The new table is compiled on the caller's thread and published atomically;
     * requests already in flight finish on the table they started with. Pickers of upstreams whose
     * endpoints did not change are kept, with their state.
     */
    public void updateRoutes(List<Route> routes) {
        Snapshot previous = snapshot.get();
        Snapshot next = compile(routes, previous);
        snapshot.set(next);
        logger.info("routes updated: {} routes", routes.size());
    }

    /**
     * Makes an exchange for a request as it arrived: hop-by-hop fields and {@code Connection}-named
     * fields dropped, forwarding fields and the request id replaced unless the peer is a trusted proxy,
     * this hop appended to {@code X-Forwarded-*} and {@code Forwarded}, the client address resolved.
     *
     * @param inbound   the exchange settings with the request as received
     * @param localPort the port of the listener the request came in on
     */
    public Exchange accept(Exchange.Builder inbound, int localPort) {
        Request raw = inbound.request();
        Forwarding.Prepared prepared = Forwarding.prepare(raw.headers(), raw.authority(),
                inbound.peer().getAddress(), localPort, inbound.secure(), trustedProxies, strippedInbound,
                forwardedFields, requestIdField);
        PathCanonicalizer.Result path = PathCanonicalizer.canonicalize(raw.path(), pathOptions);
        Request canonical = raw.withHeaders(prepared.headers());
        if (!path.isRejected() && !path.path().equals(raw.path())) {
            canonical = canonical.withPath(path.path());
        }
        inbound.request(canonical).clientAddress(prepared.clientAddress());
        if (prepared.requestId() != null) {
            inbound.requestId(prepared.requestId());
        }
        Exchange exchange = inbound.build();
        if (path.isRejected()) {
            exchange.put(EngineAttrs.REJECTION, path.rejection());
        }
        return exchange;
    }

    /** Handles an exchange made by {@link #accept}; upstream attempts go through {@code transport}. */
    public CompletionStage<Response> handle(Exchange exchange, Transport transport) {
        return new Call(snapshot.get(), exchange, transport).start();
    }

    /** Which route matches {@code request}, and which policies and filters would run, in order. */
    public Explanation explain(Request request) {
        Snapshot snap = snapshot.get();
        PathCanonicalizer.Result path = PathCanonicalizer.canonicalize(request.path(), pathOptions);
        if (path.isRejected()) {
            return new Explanation(Optional.empty(), Map.of(), List.of(), List.of(), "400 " + path.rejection(), "");
        }
        request = request.withPath(path.path());
        Optional<RouteMatch> match = snap.table.match(request);
        if (match.isEmpty()) {
            return new Explanation(Optional.empty(), Map.of(), List.of(), List.of(), "404 no route", "");
        }
        Plan plan = snap.plans.get(match.get().route());
        Route route = plan.route;
        List<String> policyNames = new ArrayList<>();
        for (Policy policy : plan.policies) {
            policyNames.add(policy.name());
        }
        List<String> filterNames = new ArrayList<>();
        for (Filter filter : plan.filters) {
            filterNames.add(filter.name());
        }
        String target = route.upstream().map(u -> "upstream '" + u.name() + "' " + u.endpoints())
                .orElseGet(() -> "handler " + route.handler().get().name());
        String upstreamPath = route.upstream().isPresent() ? route.upstreamPath(request.path()) : "";
        return new Explanation(Optional.of(route.id()), match.get().pathParams(), policyNames, filterNames,
                target, upstreamPath);
    }

    private Snapshot compile(List<Route> routes, Snapshot previous) {
        RouteTable table = RouteTable.compile(routes, pathOptions.caseInsensitive());
        Map<String, UpstreamState> upstreams = new HashMap<>();
        Map<Route, Plan> plans = new IdentityHashMap<>();
        for (Route route : routes) {
            UpstreamState state = null;
            if (route.upstream().isPresent()) {
                Upstream upstream = route.upstream().get();
                state = upstreams.get(upstream.name());
                if (state == null) {
                    UpstreamState old = previous == null ? null : previous.upstreams.get(upstream.name());
                    state = old != null && old.sameAs(upstream) ? old.withUpstream(upstream)
                            : new UpstreamState(upstream, upstream.balancer().newPicker(upstream.endpoints()));
                    upstreams.put(upstream.name(), state);
                } else if (!state.sameAs(upstream)) {
                    throw new IllegalArgumentException("route '" + route.id() + "': upstream '" + upstream.name()
                            + "' is defined twice with different endpoints or balancers");
                }
            }
            UpstreamState mirror = null;
            if (route.mirror().isPresent()) {
                Upstream shadow = route.mirror().get();
                mirror = upstreams.get(shadow.name());
                if (mirror == null) {
                    UpstreamState old = previous == null ? null : previous.upstreams.get(shadow.name());
                    mirror = old != null && old.sameAs(shadow) ? old.withUpstream(shadow)
                            : new UpstreamState(shadow, shadow.balancer().newPicker(shadow.endpoints()));
                    upstreams.put(shadow.name(), mirror);
                }
            }
            List<Policy> routePolicies = new ArrayList<>(policies);
            routePolicies.addAll(route.policies());
            List<Filter> routeFilters = new ArrayList<>(filters);
            routeFilters.addAll(route.filters());
            long maxBody = route.maxRequestBodyBytes() >= 0 ? route.maxRequestBodyBytes() : maxRequestBodyBytes;
            plans.put(route, new Plan(route, routePolicies.toArray(new Policy[0]),
                    routeFilters.toArray(new Filter[0]), state, route.timeouts().orElse(timeouts), maxBody, mirror));
        }
        return new Snapshot(table, upstreams, plans);
    }

    private record Snapshot(RouteTable table, Map<String, UpstreamState> upstreams, Map<Route, Plan> plans) {
    }

    private record UpstreamState(Upstream upstream, Balancer.Picker picker) {
        boolean sameAs(Upstream other) {
            return upstream.endpoints().equals(other.endpoints()) && upstream.balancer() == other.balancer();
        }

        UpstreamState withUpstream(Upstream other) {
            return new UpstreamState(other, picker);
        }
    }

    /** Everything a routed request needs, computed when the table is compiled. */
    private record Plan(Route route, Policy[] policies, Filter[] filters, UpstreamState upstream,
            Timeouts timeouts, long maxRequestBodyBytes, UpstreamState mirror) {
    }

    /** One request's state. Steps run one after another; only the total timeout may race them. */
    private final class Call {
        private final Snapshot snap;
        private final Exchange exchange;
        private final Transport transport;
        private final CompletableFuture<Response> result = new CompletableFuture<>();
        private Plan plan;
        private Scheduler.Cancellable totalTimer;
        private volatile CompletableFuture<Response> currentAttempt;

        Call(Snapshot snap, Exchange exchange, Transport transport) {
            this.snap = snap;
            this.exchange = exchange;
            this.transport = transport;
        }

        CompletionStage<Response> start() {
            Request request = exchange.request();
            String rejection = exchange.getOrNull(EngineAttrs.REJECTION);
            if (rejection != null) {
                logger.debug("request {} rejected: {}", exchange.requestId(), rejection);
                finish(Response.problem(400, "Bad Request", rejection), null);
                return result;
            }
            Optional<RouteMatch> match = snap.table.match(request);
            if (match.isEmpty()) {
                logger.debug("request {} {} {}: no route", exchange.requestId(), request.method(), request.path());
                finish(Response.problem(404, "Not Found", "no route matches " + request.method() + " "
                        + request.path()), null);
                return result;
            }
            exchange.routeMatch(match.get());
            plan = snap.plans.get(match.get().route());
            exchange.put(EngineAttrs.MAX_REQUEST_BODY, plan.maxRequestBodyBytes);
            exchange.put(EngineAttrs.TIMEOUTS, plan.timeouts);
            long length = request.body().length();
            if (length > plan.maxRequestBodyBytes) {
                finish(tooLarge(plan.maxRequestBodyBytes), null);
                return result;
            }
            if (!plan.timeouts.total().isZero()) {
                totalTimer = exchange.scheduler().schedule(plan.timeouts.total(), this::onTotalTimeout);
            }
            CompletionStage<Response> stage;
            try {
                stage = policies(0, Decision.allow(), request);
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e); // a filter that threw, or an offload refused
            }
            stage.whenComplete(this::finish);
            return result;
        }

        private CompletionStage<Response> policies(int index, Decision sum, Request request) {
            Policy[] all = plan.policies;
            Decision decision = sum;
            for (int i = index; i < all.length; i++) {
                CompletionStage<Decision> stage = all[i].evaluate(exchange, request);
                if (stage instanceof CompletableFuture<Decision> future && future.isDone()
                        && !future.isCompletedExceptionally()) {
                    Decision d = future.join();
                    if (!d.isAllowed()) {
                        return CompletableFuture.completedFuture(d.denial().get());
                    }
                    decision = Decisions.merge(decision, d);
                    continue;
                }
                int next = i + 1;
                Decision soFar = decision;
                return stage.thenCompose(d -> d.isAllowed() ? policies(next, Decisions.merge(soFar, d), request)
                        : CompletableFuture.completedFuture(d.denial().get()));
            }
            return allowed(decision, request);
        }

        private CompletionStage<Response> allowed(Decision decision, Request request) {
            Request current = request;
            if (decision != Decision.allow()) {
                decision.identity().ifPresent(exchange::identity);
                Headers add = decision.requestHeaders();
                if (!add.isEmpty()) {
                    Headers.Builder headers = current.headers().toBuilder();
                    for (int i = 0; i < add.size(); i++) {
                        headers.set(add.name(i), add.value(i));
                    }
                    current = current.withHeaders(headers.build());
                }
            }
            CompletionStage<Response> response = filter(0, current);
            Headers responseHeaders = decision.responseHeaders();
            if (responseHeaders.isEmpty()) {
                return response;
            }
            return response.thenApply(r -> {
                Headers.Builder headers = r.headers().toBuilder();
                for (int i = 0; i < responseHeaders.size(); i++) {
                    headers.set(responseHeaders.name(i), responseHeaders.value(i));
                }
                return r.withHeaders(headers.build());
            });
        }

        private CompletionStage<Response> filter(int index, Request request) {
            if (index == plan.filters.length) {
                return target(request);
            }
            return plan.filters[index].filter(exchange, request, next -> filter(index + 1, next));
        }

        private CompletionStage<Response> target(Request request) {
            Route route = plan.route;
            if (plan.mirror != null && ThreadLocalRandom.current().nextDouble() < route.mirrorFraction()) {
                Body body = request.body();
                if (body.isEmpty() || body instanceof BytesBody) {
                    mirror(request);
                } else if (body.length() > 0 && body.length() <= MIRROR_MAX_BODY) {
                    return body.aggregate(MIRROR_MAX_BODY).thenCompose(bytes -> {
                        Request whole = request.withBody(Body.of(bytes));
                        mirror(whole);
                        return send(route, whole);
                    });
                }
            }
            return send(route, request);
        }

        private CompletionStage<Response> send(Route route, Request request) {
            if (plan.upstream == null) {
                return route.handler().get().handle(exchange, request);
            }
            return attempt(1, List.of(), request);
        }

        /** Fire and forget: the copy's answer is read and dropped, its failure only logged. */
        private void mirror(Request request) {
            UpstreamState shadow = plan.mirror;
            Request copy = request.withHeader(MIRROR_HEADER, exchange.requestId());
            Attempt attempt = new Attempt(exchange, copy, 1, List.of());
            Optional<Endpoint> endpoint = shadow.picker().pick(attempt);
            if (endpoint.isEmpty()) {
                return;
            }
            long start = exchange.ticker().nanos();
            CompletionStage<Response> sent;
            try {
                sent = transport.send(exchange, endpoint.get(), upstreamRequest(copy, endpoint.get()),
                        shadow.upstream(), plan.timeouts);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.thenCompose(response -> response.body().aggregate(MIRROR_MAX_RESPONSE).thenApply(b -> response))
                    .whenComplete((response, error) -> {
                        long latency = exchange.ticker().nanos() - start;
                        Throwable cause = error == null ? null : unwrap(error);
                        Outcome.Kind kind = cause == null ? Outcome.Kind.RESPONSE : kindOf(cause);
                        shadow.picker().onComplete(attempt, new Outcome(endpoint.get(), kind,
                                response == null ? 0 : response.status(), latency));
                        if (cause != null) {
                            logger.debug("request {} route '{}' mirror to {} failed: {}", exchange.requestId(),
                                    plan.route.id(), endpoint.get(), cause.toString());
                        }
                    });
        }

        private CompletionStage<Response> attempt(int number, List<Endpoint> tried, Request request) {
            UpstreamState state = plan.upstream;
            Upstream upstream = state.upstream();
            Attempt attempt = new Attempt(exchange, request, number, tried);
            Optional<Endpoint> picked = state.picker().pick(attempt);
            if (picked.isEmpty()) {
                return CompletableFuture.failedFuture(UpstreamException.unavailable(
                        "upstream '" + upstream.name() + "' has no available endpoint"));
            }
            Endpoint endpoint = picked.get();
            Request outbound = upstreamRequest(request, endpoint);
            long start = exchange.ticker().nanos();
            CompletionStage<Response> sent;
            try {
                sent = transport.send(exchange, endpoint, outbound, upstream, plan.timeouts);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            if (sent instanceof CompletableFuture<Response> future) {
                currentAttempt = future;
            }
            CompletableFuture<Response> outcome = new CompletableFuture<>();
            sent.whenComplete((response, error) -> {
                long latency = exchange.ticker().nanos() - start;
                if (error == null) {
                    state.picker().onComplete(attempt,
                            new Outcome(endpoint, Outcome.Kind.RESPONSE, response.status(), latency));
                    outcome.complete(response);
                    return;
                }
                Throwable cause = unwrap(error);
                Outcome.Kind kind = kindOf(cause);
                state.picker().onComplete(attempt, new Outcome(endpoint, kind, 0, latency));
                logger.debug("request {} route '{}' attempt {} to {} failed: {}", exchange.requestId(),
                        plan.route.id(), number, endpoint, cause.getMessage());
                if (kind == Outcome.Kind.CONNECT_FAILED && number < upstream.maxAttempts()
                        && number < upstream.endpoints().size() && !result.isDone()) {
                    List<Endpoint> nowTried = new ArrayList<>(tried);
                    nowTried.add(endpoint);
                    attempt(number + 1, List.copyOf(nowTried), request).whenComplete((r, e) -> {
                        if (e == null) {
                            outcome.complete(r);
                        } else {
                            outcome.completeExceptionally(unwrap(e));
                        }
                    });
                    return;
                }
                outcome.completeExceptionally(cause);
            });
            return outcome;
        }

        private Request upstreamRequest(Request request, Endpoint endpoint) {
            Route route = plan.route;
            String path = route.upstreamPath(request.path());
            Request outbound = path.equals(request.path()) ? request : request.withPath(path);
            if (route.upstreamHostFromEndpoint()) {
                outbound = outbound.withAuthority(endpoint.address());
            } else if (route.upstreamHost().isPresent()) {
                outbound = outbound.withAuthority(route.upstreamHost().get());
            }
            return outbound;
        }

        private void onTotalTimeout() {
            if (result.isDone()) {
                return;
            }
            finish(null, UpstreamException.timeout("the request did not complete within "
                    + plan.timeouts.total().toMillis() + " ms"));
            CompletableFuture<Response> attempt = currentAttempt;
            if (attempt != null) {
                attempt.cancel(false); // after answering, so the cancellation is not taken for the answer
            }
        }

        private void finish(Response response, Throwable error) {
            if (result.isDone()) {
                return;
            }
            if (totalTimer != null) {
                totalTimer.cancel();
            }
            Response out = error == null ? response : errorResponse(unwrap(error));
            out = out.rendered(exchange);
            if (requestIdField) {
                out = out.withHeader(Forwarding.REQUEST_ID, exchange.requestId());
            }
            result.complete(out);
        }

        private Response errorResponse(Throwable error) {
            if (error instanceof UpstreamException ue) {
                String name = plan.upstream == null ? "" : " '" + plan.upstream.upstream().name() + "'";
                switch (ue.status()) {
                    case 504:
                        return Response.problem(504, "Gateway Timeout",
                                ue.kind() == Outcome.Kind.TIMEOUT && ue.getMessage().startsWith("the request")
                                        ? ue.getMessage() : "upstream" + name + " did not answer in time");
                    case 503:
                        return Response.problem(503, "Service Unavailable",
                                "upstream" + name + " has no endpoint available");
                    default:
                        return Response.problem(502, "Bad Gateway", ue.kind() == Outcome.Kind.CONNECT_FAILED
                                ? "could not connect to upstream" + name
                                : "upstream" + name + " failed before completing its response");
                }
            }
            if (error instanceof Body.TooLargeException tooLarge) {
                return tooLarge(tooLarge.maxBytes());
            }
            if (error instanceof Body.StalledException) {
                return Response.problem(408, "Request Timeout", "the request body stalled");
            }
            if (error instanceof CancellationException) {
                return Response.problem(503, "Service Unavailable", "the request was cancelled");
            }
            if (error instanceof java.util.concurrent.RejectedExecutionException) {
                logger.warn("request {} route '{}': the offload executor is full", exchange.requestId(),
                        plan == null ? "-" : plan.route.id());
                return Response.problem(503, "Service Unavailable", "the edge is busy")
                        .withHeader("retry-after", "1");
            }
            logger.error("request {} route '{}': unexpected failure", exchange.requestId(),
                    plan == null ? "-" : plan.route.id(), error);
            return Response.problem(500, "Internal Server Error", "the edge failed to handle the request");
        }
    }

    /** The header a mirrored copy carries: the request id of the original. */
    public static final String MIRROR_HEADER = "x-edgekit-mirror";
    private static final long MIRROR_MAX_BODY = 64 * 1024;
    private static final long MIRROR_MAX_RESPONSE = 1024 * 1024;

    static Response tooLarge(long max) {
        return Response.problem(413, "Content Too Large", "request body exceeds " + max + " bytes");
    }

    /** How a failed attempt ended, for the picker. */
    static Outcome.Kind kindOf(Throwable cause) {
        return cause instanceof UpstreamException ue ? ue.kind() : Outcome.Kind.CANCELLED;
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

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
        private ForwardedFields forwardedFields = ForwardedFields.ALL;
        private boolean requestIdField = true;

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
         * sends are removed before routing, whoever the client is.
         */
        public Builder edgeOnlyHeaders(String... names) {
            for (String name : names) {
                requireNonNull(name, "name");
                edgeOnlyHeaders.add(name.toLowerCase(Locale.ROOT));
            }
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
