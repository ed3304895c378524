package io.edgekit.admin;

import io.edgekit.core.Edge;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.micrometer.EdgeMetrics;
import io.edgekit.proxy.EdgeServer;
import io.edgekit.proxy.HttpCache;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/** Two real backends, an edge in front of them with metrics, and its admin listener, all on loopback. */
final class AdminFixture implements AutoCloseable {
    final EdgeServer backendA;
    final EdgeServer backendB;
    final EdgeServer edge;
    final AdminServer admin;
    final HttpCache cache = HttpCache.builder().build();

    AdminFixture() {
        backendA = backend("a");
        backendB = backend("b");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        EdgeMetrics metrics = EdgeMetrics.builder(registry).percentiles(0.5, 0.9, 0.99).build();
        Upstream api = Upstream.named("api").endpoint("127.0.0.1", backendA.port()).endpoint("127.0.0.1", backendB.port())
                .build();
        Edge engine = Edge.builder().listener(metrics)
                .route(Route.named("api").path("/api/**").filter(cache).to(api).build())
                .route(Route.named("broken").path("/broken/**").to((ex, r) -> Response.problem(503, "Service Unavailable",
                        "down on purpose").completed()).build())
                .build();
        edge = EdgeServer.builder(engine).listen("127.0.0.1", 0).build().start();
        admin = AdminServer.builder(edge, metrics, registry).cache(cache).build().start();
    }

    private static EdgeServer backend(String name) {
        Edge edge = Edge.builder().route(Route.named("all").path("/**").to((ex, r) -> Response.of(200, "text/plain",
                "backend " + name).withHeader("cache-control", "max-age=60").completed()).build()).build();
        return EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
    }

    String adminUrl(String path) {
        return "http://127.0.0.1:" + admin.port() + path;
    }

    String edgeUrl(String path) {
        return "http://127.0.0.1:" + edge.port() + path;
    }

    @Override
    public void close() {
        admin.close();
        edge.shutdown(Duration.ofSeconds(1));
        backendA.shutdown(Duration.ofSeconds(1));
        backendB.shutdown(Duration.ofSeconds(1));
    }
}
