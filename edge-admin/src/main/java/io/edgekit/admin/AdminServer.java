package io.edgekit.admin;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Edge;
import io.edgekit.core.EndpointGroup;
import io.edgekit.core.EndpointState;
import io.edgekit.core.Problem;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.micrometer.EdgeMetrics;
import io.edgekit.proxy.EdgeServer;
import io.edgekit.proxy.HttpCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: a listener of its own (127.0.0.1 by default; a bearer token is required when it is
 * bound elsewhere) serving the dashboard at {@code /}, Prometheus text at {@code /metrics},
 * {@code /health/live} and {@code /health/ready}, and the JSON API under {@code /api/}: {@code routes},
 * {@code upstreams} (each endpoint's state, weight, zone, attempts in flight and ejection end),
 * {@code metrics} (per route: requests by status class, p50/p90/p99), and the mutations
 * {@code POST /api/upstreams/{name}/endpoints/{address}/drain}, {@code .../undrain},
 * {@code .../weight?value=N} and {@code POST /api/cache/purge?host=H&path=P} (or {@code &prefix=P}).
 * Mutations are audited on logger {@code edgekit.admin}. Bad input gets problem+json naming what was wrong.
 * Ready: the edge has routes, and every upstream's endpoint group has an endpoint serving.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger audit = LoggerFactory.getLogger("edgekit.admin");
    private static final HttpString POST = HttpString.tryFromString("POST");

    private final EdgeServer edgeServer;
    private final EdgeMetrics metrics;
    private final PrometheusMeterRegistry registry;
    private final HttpCache cache;
    private final String token;
    private final Undertow undertow;
    private final InetSocketAddress bind;

    private AdminServer(Builder b) {
        this.edgeServer = b.edgeServer;
        this.metrics = b.metrics;
        this.registry = b.registry;
        this.cache = b.cache;
        this.token = b.token;
        this.bind = new InetSocketAddress(b.host, b.port);
        io.micrometer.core.instrument.Gauge.builder("edgekit.connections.open", b.edgeServer, EdgeServer::openConnections)
                .description("client connections open").register(b.registry);
        io.micrometer.core.instrument.Gauge.builder("edgekit.upstream.connections.open", b.edgeServer,
                EdgeServer::openUpstreamConnections).description("upstream connections open").register(b.registry);
        this.undertow = Undertow.builder().addHttpListener(b.port, b.host).setIoThreads(1).setWorkerThreads(2)
                .setHandler(exchange -> {
                    if (exchange.isInIoThread()) {
                        exchange.dispatch(this::handle); // scrapes and mutations run on a worker, never the IO thread
                        return;
                    }
                    handle(exchange);
                }).build();
    }

    public static Builder builder(EdgeServer edgeServer, EdgeMetrics metrics, PrometheusMeterRegistry registry) {
        return new Builder(edgeServer, metrics, registry);
    }

    /** Starts listening; a port that cannot be bound is an {@link java.io.UncheckedIOException} naming it. */
    public AdminServer start() {
        try {
            undertow.start();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new java.io.UncheckedIOException("cannot listen on http://" + bind.getHostString() + ":" + bind.getPort()
                    + ": " + cause.getMessage(), cause instanceof IOException io ? io : new IOException(cause));
        }
        return this;
    }

    /** The port as bound (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    @Override
    public void close() {
        undertow.stop();
    }

    private void handle(HttpServerExchange exchange) throws IOException {
        if (token != null && !authorized(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION))) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"edgekit-admin\"");
            problem(exchange, 401, "Unauthorized", "a bearer token is required");
            return;
        }
        String path = exchange.getRequestPath();
        boolean post = exchange.getRequestMethod().equals(POST);
        switch (path) {
            case "/", "/index.html" -> resource(exchange, "dashboard.html", "text/html; charset=utf-8");
            case "/dashboard.js" -> resource(exchange, "dashboard.js", "text/javascript; charset=utf-8");
            case "/dashboard.css" -> resource(exchange, "dashboard.css", "text/css; charset=utf-8");
            case "/metrics" -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
            case "/health/live" -> json(exchange, 200, new Json().open('{').field("status", "live").close('}'));
            case "/health/ready" -> ready(exchange);
            case "/api/routes" -> json(exchange, 200, routes(edgeServer.edge()));
            case "/api/upstreams" -> json(exchange, 200, upstreams(edgeServer.edge()));
            case "/api/metrics" -> json(exchange, 200, routeMetrics(edgeServer.edge()));
            case "/api/cache/purge" -> {
                if (post) {
                    purge(exchange);
                } else {
                    problem(exchange, 405, "Method Not Allowed", "POST /api/cache/purge?host=H&path=P or &prefix=P");
                }
            }
            default -> {
                if (path.startsWith("/api/upstreams/") && post) {
                    mutate(exchange, path.substring("/api/upstreams/".length()));
                } else {
                    problem(exchange, 404, "Not Found", "no admin resource at " + path);
                }
            }
        }
    }

    private boolean authorized(String field) {
        if (field == null || !field.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(field.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }

    private void ready(HttpServerExchange exchange) {
        Edge edge = edgeServer.edge();
        String why = edge.routes().isEmpty() ? "no routes are loaded" : null;
        for (EndpointGroup group : edge.endpointGroups().values()) {
            if (why == null && group.snapshot().serving().isEmpty()) {
                why = "upstream '" + group.name() + "' has no endpoint serving";
            }
        }
        if (why != null) {
            problem(exchange, 503, "Service Unavailable", "not ready: " + why);
        } else {
            json(exchange, 200, new Json().open('{').field("status", "ready").close('}'));
        }
    }

    private static Json routes(Edge edge) {
        Json json = new Json().open('[');
        for (Route route : edge.routes()) {
            json.open('{').field("id", route.id()).field("path", route.path().toString());
            json.name("hosts").open('[');
            route.hosts().forEach(json::value);
            json.close(']').name("methods").open('[');
            route.methods().forEach(json::value);
            json.close(']').name("upstreams").open('[');
            route.targetUpstreams().stream().map(Upstream::name).forEach(json::value);
            json.close(']').close('}');
        }
        return json.close(']');
    }

    private Json upstreams(Edge edge) {
        Json json = new Json().open('[');
        for (EndpointGroup group : new TreeMap<>(edge.endpointGroups()).values()) {
            json.open('{').field("name", group.name()).name("endpoints").open('[');
            long now = System.nanoTime();
            for (EndpointState state : group.snapshot().all()) {
                json.open('{').field("address", state.address()).field("status", state.status().name())
                        .field("weight", state.endpoint().weight()).field("zone", state.endpoint().zone())
                        .field("inFlight", metrics.inFlight(group.name(), state.address()));
                json.name("ejectedForMillis").value(state.status() == EndpointState.Status.EJECTED && state.untilNanos() != 0
                        ? Math.max(0, TimeUnit.NANOSECONDS.toMillis(state.untilNanos() - now)) : 0);
                json.close('}');
            }
            json.close(']').close('}');
        }
        return json.close(']');
    }

    private Json routeMetrics(Edge edge) {
        Json json = new Json().open('{').name("inFlight").value(metrics.inFlight()).name("routes").open('[');
        for (Route route : edge.routes()) {
            json.open('{').field("id", route.id());
            json.name("requests").open('{');
            long errors = 0;
            for (Counter counter : registry.find("edgekit.requests").tag("route", route.id()).counters()) {
                String status = counter.getId().getTag("status");
                json.field(status, (long) counter.count());
                if ("5xx".equals(status)) {
                    errors += (long) counter.count();
                }
            }
            json.close('}').field("errors", errors);
            Timer timer = registry.find("edgekit.request.duration").tag("route", route.id()).tag("status", "2xx").timer();
            json.name("latencyMillis").open('{');
            if (timer != null) {
                for (ValueAtPercentile p : timer.takeSnapshot().percentileValues()) {
                    json.name("p" + Math.round(p.percentile() * 100)).value(p.value(TimeUnit.MILLISECONDS));
                }
            }
            json.close('}').close('}');
        }
        return json.close(']').close('}');
    }

    /** {@code {name}/endpoints/{address}/{drain|undrain|weight}} */
    private void mutate(HttpServerExchange exchange, String rest) {
        String[] parts = rest.split("/");
        if (parts.length != 4 || !parts[1].equals("endpoints")) {
            problem(exchange, 404, "Not Found", "expected /api/upstreams/{name}/endpoints/{address}/{drain|undrain|weight}");
            return;
        }
        String name = decode(parts[0]);
        String address = decode(parts[2]);
        EndpointGroup group = edgeServer.edge().endpointGroup(name).orElse(null);
        if (group == null) {
            problem(exchange, 404, "Not Found", "no upstream named '" + name + "' (upstreams: "
                    + new TreeMap<>(edgeServer.edge().endpointGroups()).keySet() + ")");
            return;
        }
        if (group.snapshot().state(address).isEmpty()) {
            problem(exchange, 404, "Not Found", "upstream '" + name + "' has no endpoint " + address);
            return;
        }
        String who = exchange.getSourceAddress().getAddress().getHostAddress();
        switch (parts[3]) {
            case "drain" -> group.drain(address);
            case "undrain" -> group.restore(address);
            case "weight" -> {
                String value = first(exchange.getQueryParameters(), "value");
                int weight;
                try {
                    weight = Integer.parseInt(value == null ? "" : value);
                } catch (NumberFormatException e) {
                    weight = -1;
                }
                if (weight < 1 || weight > 1000) {
                    problem(exchange, 400, "Bad Request", "weight: \"" + value + "\" (expected: ?value= a whole number"
                            + " from 1 to 1000)");
                    return;
                }
                group.reweight(address, weight);
                audit.info("admin {}: upstream '{}' endpoint {} weight {}", who, name, address, weight);
                json(exchange, 200, new Json().open('{').field("upstream", name).field("endpoint", address)
                        .field("weight", weight).close('}'));
                return;
            }
            default -> {
                problem(exchange, 404, "Not Found", "no action '" + parts[3] + "' (expected: drain, undrain, weight)");
                return;
            }
        }
        audit.info("admin {}: upstream '{}' endpoint {} {}", who, name, address, parts[3]);
        json(exchange, 200, new Json().open('{').field("upstream", name).field("endpoint", address)
                .field("status", group.snapshot().state(address).map(s -> s.status().name()).orElse("-")).close('}'));
    }

    private void purge(HttpServerExchange exchange) {
        if (cache == null) {
            problem(exchange, 404, "Not Found", "this edge has no cache to purge");
            return;
        }
        Map<String, Deque<String>> query = exchange.getQueryParameters();
        String host = first(query, "host");
        String path = first(query, "path");
        String prefix = first(query, "prefix");
        if (host == null || (path == null) == (prefix == null) || !(path != null ? path : prefix).startsWith("/")) {
            problem(exchange, 400, "Bad Request", "expected ?host=H and one of path=/P (an entry) or prefix=/P");
            return;
        }
        long purged = path != null ? (cache.purge(host, path) ? 1 : 0) : cache.purgePrefix(host, prefix);
        audit.info("admin {}: cache purge host {} {} {}: {} entries", exchange.getSourceAddress().getAddress()
                .getHostAddress(), host, path != null ? "path" : "prefix", path != null ? path : prefix, purged);
        json(exchange, 200, new Json().open('{').field("purged", purged).close('}'));
    }

    private static String first(Map<String, Deque<String>> query, String name) {
        Deque<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    private void resource(HttpServerExchange exchange, String name, String type) throws IOException {
        try (InputStream in = AdminServer.class.getResourceAsStream(name)) {
            if (in == null) {
                problem(exchange, 404, "Not Found", "no " + name + " in this build");
                return;
            }
            send(exchange, 200, type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static void json(HttpServerExchange exchange, int status, Json json) {
        send(exchange, status, "application/json", json.toString());
    }

    private static void problem(HttpServerExchange exchange, int status, String title, String detail) {
        send(exchange, status, Problem.MEDIA_TYPE, new Problem(status, title, detail).toJson(null));
    }

    private static void send(HttpServerExchange exchange, int status, String type, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(body, StandardCharsets.UTF_8);
    }

    /** Builds an {@link AdminServer}: 127.0.0.1 by default; a token is required on any other address. */
    public static final class Builder {
        private final EdgeServer edgeServer;
        private final EdgeMetrics metrics;
        private final PrometheusMeterRegistry registry;
        private String host = "127.0.0.1";
        private int port;
        private String token;
        private HttpCache cache;

        private Builder(EdgeServer edgeServer, EdgeMetrics metrics, PrometheusMeterRegistry registry) {
            this.edgeServer = requireNonNull(edgeServer, "edgeServer");
            this.metrics = requireNonNull(metrics, "metrics");
            this.registry = requireNonNull(registry, "registry");
        }

        /** Where to listen (127.0.0.1 and a free port by default). */
        public Builder listen(String host, int port) {
            this.host = requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        /** The bearer token every admin request must carry (required when not bound to a loopback address). */
        public Builder bearerToken(String token) {
            if (requireNonNull(token, "token").length() < 16) {
                throw new IllegalArgumentException("bearerToken: at least 16 characters (expected: a random secret)");
            }
            this.token = token;
            return this;
        }

        /** The cache {@code /api/cache/purge} purges. */
        public Builder cache(HttpCache cache) {
            this.cache = requireNonNull(cache, "cache");
            return this;
        }

        public AdminServer build() {
            boolean loopback;
            try {
                loopback = InetAddress.getByName(host).isLoopbackAddress();
            } catch (IOException e) {
                throw new IllegalArgumentException("listen: cannot resolve " + host, e);
            }
            if (!loopback && token == null) {
                throw new IllegalStateException("the admin listener on " + host + " needs a bearer token:"
                        + " bearerToken(secret), or listen on 127.0.0.1");
            }
            return new AdminServer(this);
        }
    }

}
