package io.edgekit.benchmarks.proxy;

import io.edgekit.core.Edge;
import io.edgekit.core.Endpoint;
import io.edgekit.core.Filter;
import io.edgekit.core.ForwardedFields;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.proxy.EdgeServer;
import io.edgekit.proxy.HttpCache;
import io.edgekit.proxy.ProxyFilters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The Edgekit benchmark server: reverse proxy and round-robin balancer over the given upstreams. Other
 * harnesses start it exactly so, and it prints {@code ready} once it accepts connections:
 *
 * <pre>java -jar benchmarks/target/edge-bench-server.jar --port P --upstream 127.0.0.1:A --upstream 127.0.0.1:B
 *     [--io-threads N] [--filters] [--cache] [--cache-store-set-cookie] [--count-events] [--gateway]
 *     [--metrics] [--tls-port P [--tls-engine jdk|native]]</pre>
 *
 * Without {@code --filters} the edge forwards as the load script's NGINX is configured to: it adds
 * {@code X-Forwarded-For} (and removes any forwarding field a client sends), and no request id field.
 * {@code --filters} turns on what a production edge adds on top: all forwarding fields ({@code
 * X-Forwarded-Proto}, {@code -Host}, {@code -Port}, {@code Forwarded}), {@code X-Request-Id} both ways,
 * hiding topology headers and a response header rewrite.
 * {@code --cache} puts the shared HTTP cache in front of the upstreams; {@code --cache-store-set-cookie}
 * also lets it store responses that set cookies (off by default). {@code --count-events} adds an exchange
 * listener that counts every event (head received, routed, attempt started and ended, head written,
 * completed) in shared counters: what a metrics listener costs at least. {@code --gateway} adds the API-gateway
 * role's common pair: a JWT check (ES256, keys made at start, verified tokens cached) and a per-client rate
 * limit high enough never to refuse; before {@code ready} it prints {@code token <jwt>}, a token to send as
 * {@code Authorization: Bearer <jwt>} (the load script does). {@code --metrics} adds the Micrometer binding
 * ({@code EdgeMetrics} on a Prometheus registry, percentiles off: its defaults). {@code --tls-port P} also
 * listens with TLS (1.3 and 1.2, HTTP/2 by ALPN) on P, with a self-signed EC P-256 certificate made at start;
 * {@code --tls-engine} names the TLS implementation: {@code jdk} (the default) or {@code native} (BoringSSL,
 * {@code edge-tls-native}).
 */
public final class BenchServer {
    private BenchServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        int port = -1;
        int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        boolean filters = false;
        boolean cache = false;
        boolean storeSetCookie = false;
        boolean countEvents = false;
        boolean gateway = false;
        boolean metrics = false;
        int tlsPort = -1;
        String tlsEngine = "jdk";
        List<Endpoint> upstreams = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--port" -> port = number(arg, value(args, ++i));
                case "--io-threads" -> ioThreads = number(arg, value(args, ++i));
                case "--upstream" -> {
                    try {
                        upstreams.add(Endpoint.parse(value(args, ++i)));
                    } catch (IllegalArgumentException e) {
                        usage("--upstream: " + e.getMessage());
                    }
                }
                case "--filters" -> filters = true;
                case "--cache" -> cache = true;
                case "--cache-store-set-cookie" -> storeSetCookie = true;
                case "--count-events" -> countEvents = true;
                case "--gateway" -> gateway = true;
                case "--metrics" -> metrics = true;
                case "--tls-port" -> tlsPort = number(arg, value(args, ++i));
                case "--tls-engine" -> tlsEngine = value(args, ++i);
                default -> usage("unknown argument: " + arg);
            }
        }
        if (port < 0 || port > 65535) {
            usage("--port is required (0-65535)");
        }
        if (upstreams.isEmpty()) {
            usage("at least one --upstream host:port is required");
        }
        if (ioThreads < 1) {
            usage("--io-threads: " + ioThreads + " (expected: >= 1)");
        }
        Upstream.Builder upstream = Upstream.named("bench");
        upstreams.forEach(upstream::endpoint);
        Route.Builder route = Route.named("all").path("/**").to(upstream.build());
        if (filters) {
            route.filter(ProxyFilters.hideTopology())
                    .filter(Filter.named("via", (ex, r, next) -> next.proceed(r)
                            .thenApply(response -> response.withHeader("via", "1.1 edgekit"))));
        }
        if (storeSetCookie && !cache) {
            usage("--cache-store-set-cookie needs --cache");
        }
        if (cache) {
            route.filter(HttpCache.builder().storeSetCookie(storeSetCookie).build());
        }
        String token = null;
        if (gateway) {
            io.edgekit.benchmarks.gateway.GatewayKeys keys = new io.edgekit.benchmarks.gateway.GatewayKeys();
            route.policy(io.edgekit.gateway.auth.JwtAuth.builder()
                    .issuer(io.edgekit.benchmarks.gateway.GatewayKeys.ISSUER,
                            io.edgekit.gateway.auth.JwtKeys.jwks(keys.jwks()))
                    .audience(io.edgekit.benchmarks.gateway.GatewayKeys.AUDIENCE).build());
            route.policy(io.edgekit.gateway.limits.RateLimiting.builder()
                    .key(io.edgekit.gateway.limits.LimitKey.clientIp())
                    .limit(io.edgekit.gateway.limits.RateLimit.perSecond(100_000_000L)).build());
            token = keys.token(com.nimbusds.jose.JWSAlgorithm.ES256, "bench-user");
        }
        Edge.Builder builder = Edge.builder().route(route.build());
        if (!filters) {
            builder.forwardedFields(ForwardedFields.X_FORWARDED_FOR).requestIdField(false);
        }
        if (countEvents) {
            builder.listener(new EventCounter());
        }
        if (metrics) {
            builder.listener(io.edgekit.micrometer.EdgeMetrics.builder(new io.micrometer.prometheusmetrics
                    .PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT)).build());
        }
        if (!tlsEngine.equals("jdk") && !tlsEngine.equals("native")) {
            usage("--tls-engine: \"" + tlsEngine + "\" (expected: jdk or native)");
        }
        Edge edge = builder.build();
        EdgeServer.Builder listeners = EdgeServer.builder(edge).listen("127.0.0.1", port).ioThreads(ioThreads)
                .maxConnections(100_000).maxConnectionsPerClient(100_000);
        if (tlsPort >= 0) {
            listeners.listenTls("127.0.0.1", tlsPort, io.edgekit.proxy.TlsConfig.builder().selfSigned("127.0.0.1")
                    .engine(tlsEngine.equals("native") ? io.edgekit.tls.nativeengine.BoringSslEngine.engine()
                            : io.edgekit.proxy.TlsEngine.JDK).build());
        }
        EdgeServer server = listeners.build().start();
        if (token != null) {
            System.out.println("token " + token);
        }
        System.out.println("ready");
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown(java.time.Duration.ofSeconds(1));
            stopped.countDown();
        }));
        stopped.await();
    }

    static String value(String[] args, int i) {
        if (i >= args.length) {
            usage(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    static int number(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            usage(name + ": \"" + value + "\" (expected: a number)");
            return -1;
        }
    }

    static void usage(String error) {
        System.err.println("edge-bench-server: " + error);
        System.err.println("usage: java -jar benchmarks/target/edge-bench-server.jar --port P "
                + "--upstream HOST:PORT [--upstream HOST:PORT ...] [--io-threads N] [--filters] [--cache] "
                + "[--cache-store-set-cookie] [--count-events] [--gateway] [--metrics] [--tls-port P [--tls-engine jdk|native]]");
        System.exit(2);
    }
}
