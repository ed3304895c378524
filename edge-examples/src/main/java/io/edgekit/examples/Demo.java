package io.edgekit.examples;

import io.edgekit.balance.Balancers;
import io.edgekit.core.Edge;
import io.edgekit.core.Filter;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Upstream;
import io.edgekit.gateway.Policies;
import io.edgekit.proxy.EdgeServer;
import io.edgekit.proxy.HttpCache;
import io.edgekit.proxy.ProxyFilters;
import io.edgekit.proxy.StaticFiles;
import io.edgekit.proxy.TlsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo edge: two in-process demo backends on ephemeral ports, and an edge in front of them that
 * balances {@code /api/**} across both (reverse proxy and load balancer), caches {@code /api/time},
 * serves a bundled site under {@code /static/}, compresses text for clients that accept it, guards
 * {@code /internal/**} with a client allow-list (API gateway), and answers {@code /edge/explain} itself.
 *
 * <pre>java -jar edge-examples/target/edge-demo.jar [--port N] [--tls-port M] [--admin-port A]</pre>
 */
public final class Demo {
    private final List<EdgeServer> backends = new ArrayList<>();
    private EdgeServer edge;
    private DemoGateway gateway;
    private io.edgekit.admin.AdminServer admin;
    private final io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
            new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    private final io.edgekit.micrometer.EdgeMetrics metrics = io.edgekit.micrometer.EdgeMetrics.builder(registry)
            .percentiles(0.5, 0.9, 0.99).build();
    private io.edgekit.core.observe.AccessLog accessLog;
    private HttpCache cache;

    /** Starts the backends and the edge on {@code port} (0 for any free port). */
    public Demo start(String host, int port) {
        return start(host, port, -1);
    }

    /**
     * Starts the backends and the edge on {@code port}, and with {@code tlsPort >= 0} also on an HTTPS
     * listener (HTTP/2 by ALPN) with a self-signed certificate made at start.
     */
    public Demo start(String host, int port, int tlsPort) {
        return start(host, port, tlsPort, -1);
    }

    /**
     * As {@link #start(String, int, int)}, and with {@code adminPort >= 0} an admin listener on 127.0.0.1 at that
     * port (dashboard, metrics, health, the admin API), and the access log on standard output.
     */
    public Demo start(String host, int port, int tlsPort, int adminPort) {
        Upstream.Builder api = Upstream.named("demo-api").balancer(Balancers.roundRobin())
                .keepAlive(Duration.ofSeconds(30));
        for (int i = 1; i <= 2; i++) {
            EdgeServer backend = DemoBackend.start("demo-backend-" + i);
            backends.add(backend);
            api.endpoint("127.0.0.1", backend.port());
        }
        Upstream upstream = api.build();
        AtomicReference<Edge> self = new AtomicReference<>();
        HttpCache cache = HttpCache.builder().maxBytes(8L * 1024 * 1024).build();
        this.cache = cache;
        Filter poweredBy = Filter.named("poweredBy",
                (exchange, request, next) -> next.proceed(request).thenApply(r -> r.withHeader("via", "1.1 edgekit")));
        DemoGateway gateway = new DemoGateway();
        this.gateway = gateway;
        Edge.Builder builder = Edge.builder();
        builder.listener(metrics).listener(io.edgekit.core.observe.UpstreamFailureLog.toLogger());
        if (adminPort >= 0) {
            accessLog = io.edgekit.core.observe.AccessLog.to(io.edgekit.core.observe.AccessLog.Format.COMMON,
                    System.out::println, 65_536);
            builder.listener(accessLog).component(accessLog);
        }
        Edge engine = builder
                .decorator(io.edgekit.core.observe.TraceContext.trusting(io.edgekit.core.TrustedProxies.none()))
                .decorator(gateway.cors) // preflights on /api/ answered before routing and policies
                .filter(poweredBy)
                .filter(ProxyFilters.compression())
                .timeouts(Timeouts.DEFAULT.withResponseHeaders(Duration.ofSeconds(10)))
                .route(Route.named("time").path("/api/time").policy(gateway.apiLimit).filter(cache).to(upstream).build())
                .route(Route.named("api").path("/api/**").policy(gateway.apiLimit).to(upstream).build())
                .route(Route.named("secure").path("/secure/**").policy(gateway.jwt).to(upstream).build())
                .route(Route.named("partner").path("/partner/**").policy(gateway.partnerKey).policy(gateway.partnerPlan)
                        .to(upstream).build())
                .route(Route.named("static").path("/static/**")
                        .to(StaticFiles.classpath(Demo.class.getClassLoader(), "demo-site")).build())
                .route(Route.named("internal").path("/internal/**").policy(Policies.allowClients("10.0.0.0/8"))
                        .to(upstream).build())
                .route(Route.named("explain").path("/edge/explain").methods("GET").to((exchange, request) -> {
                    String path = request.headers().firstOrNull("x-explain-path");
                    String answer = path == null || !path.startsWith("/")
                            ? "send the path to explain in header x-explain-path"
                            : self.get().explain(request.withPath(path)).toString();
                    return Response.of(200, "text/plain", answer + "\n").completed();
                }).build())
                .build();
        self.set(engine);
        EdgeServer.Builder server = EdgeServer.builder(engine).listen(host, port);
        if (tlsPort >= 0) {
            server.listenTls(host, tlsPort, TlsConfig.builder()
                    .selfSigned(host).build());
        }
        try {
            edge = server.build().start();
            if (adminPort >= 0) {
                admin = io.edgekit.admin.AdminServer.builder(edge, metrics, registry).listen("127.0.0.1", adminPort)
                        .cache(cache).build().start();
            }
        } catch (RuntimeException e) {
            stop(); // the backends are up: nothing is left running
            throw e;
        }
        return this;
    }

    /** A token /secure/** accepts, valid for 12 hours from the start. */
    public String token() {
        return gateway.token;
    }

    /** An API key /partner/** accepts. */
    public String apiKey() {
        return gateway.apiKey;
    }

    /** The admin listener's port, when started with one. */
    public int adminPort() {
        return admin.port();
    }

    public int port() {
        return edge.port();
    }

    /** The HTTPS port, when started with one. */
    public int tlsPort() {
        return edge.address(1).getPort();
    }

    public void stop() {
        if (admin != null) {
            admin.close();
        }
        if (edge != null) {
            edge.shutdown(Duration.ofSeconds(2));
        }
        for (EdgeServer backend : backends) {
            backend.shutdown(Duration.ofSeconds(1));
        }
    }

    public static void main(String[] args) throws InterruptedException {
        int port = 8080;
        int tlsPort = -1;
        int adminPort = -1;
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("--port") || args[i].equals("--tls-port") || args[i].equals("--admin-port"))
                    && i + 1 < args.length) {
                String name = args[i];
                int value = -1;
                try {
                    value = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    usage(name + ": \"" + args[i] + "\" (expected: a number 0-65535)");
                }
                if (value < 0 || value > 65535) {
                    usage(name + ": " + value + " (expected: 0-65535)");
                }
                if (name.equals("--port")) {
                    port = value;
                } else if (name.equals("--admin-port")) {
                    adminPort = value;
                } else {
                    tlsPort = value;
                }
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                usage(null);
            } else {
                usage("unknown argument: " + args[i]);
            }
        }
        if (port < 0 || port > 65535) {
            usage("--port: " + port + " (expected: 0-65535)");
        }
        // Undertow and XNIO log through JBoss Logging: send it to SLF4J, as the edge's own lines are
        System.setProperty("org.jboss.logging.provider", "slf4j");
        Demo demo;
        try {
            demo = new Demo().start("127.0.0.1", port, tlsPort, adminPort);
        } catch (java.io.UncheckedIOException e) {
            System.err.println("edge-demo: " + e.getMessage() + " (is another program on that port? pick one with"
                    + " --port N" + (tlsPort >= 0 ? " / --tls-port M" : "") + ")");
            System.exit(1);
            return;
        }
        String base = "http://127.0.0.1:" + demo.port();
        System.out.println("Edgekit demo listening on " + base);
        if (adminPort >= 0) {
            System.out.println("Edgekit admin on http://127.0.0.1:" + demo.adminPort() + "/");
        }
        if (tlsPort >= 0) {
            System.out.println("Edgekit demo listening on https://127.0.0.1:" + demo.tlsPort()
                    + " (HTTP/2 and HTTP/1.1, a self-signed certificate made at start)");
        }
        System.out.println();
        System.out.println("Try:");
        System.out.println("  curl -i " + base + "/api/whoami             # balanced across two backends: run it twice");
        System.out.println("  curl -i " + base + "/api/echo?x=1 -d hello  # request and forwarded headers as the backend saw them");
        System.out.println("  curl -i " + base + "/api/time               # cached by the edge for 5 s: see Cache-Status and Age");
        System.out.println("  curl -i --compressed " + base + "/static/   # a bundled site: ETag, Range, gzip");
        System.out.println("  curl -i -H 'Range: bytes=0-99' " + base + "/static/index.html");
        System.out.println("  curl -i " + base + "/internal/whoami        # 403 problem+json: a gateway policy at work");
        System.out.println("  curl -i " + base + "/nowhere                # 404 problem+json with the request id");
        System.out.println("  curl -i -H 'x-explain-path: /api/whoami' " + base + "/edge/explain");
        System.out.println("  curl -i " + base + "/secure/whoami                # 401: a bearer token is required");
        System.out.println("  curl -i -H 'Authorization: Bearer " + demo.token() + "' " + base + "/secure/whoami");
        System.out.println("  curl -i -H 'X-API-Key: " + demo.apiKey() + "' " + base + "/partner/whoami");
        System.out.println("  curl -i -X OPTIONS -H 'Origin: https://app.example.com' -H 'Access-Control-Request-Method: GET' "
                + base + "/api/whoami   # CORS preflight");
        System.out.println("  for i in $(seq 120); do curl -s -o /dev/null -w '%{http_code} ' " + base
                + "/api/whoami; done   # 429 past the burst");
        if (tlsPort >= 0) {
            System.out.println("  curl -ik --http2 https://127.0.0.1:" + demo.tlsPort() + "/api/whoami   # TLS and h2");
        }
        System.out.println();
        System.out.println("Ctrl-C stops the demo.");
        Runtime.getRuntime().addShutdownHook(new Thread(demo::stop, "edgekit-demo-shutdown"));
        demo.edge.awaitShutdown();
    }

    private static void usage(String error) {
        if (error != null) {
            System.err.println("edge-demo: " + error);
        }
        System.err.println("usage: java -jar edge-examples/target/edge-demo.jar [--port N] [--tls-port M] [--admin-port A]");
        System.exit(error == null ? 0 : 2);
    }
}
