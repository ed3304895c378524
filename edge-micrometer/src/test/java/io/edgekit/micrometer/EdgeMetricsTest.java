package io.edgekit.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import io.edgekit.core.testing.ManualClock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The metrics on a real Micrometer registry, fed by the in-memory kit; labels stay bounded. */
@Timeout(10)
class EdgeMetricsTest {
    @Test
    void requestsAttemptsEndpointsAndRefusalsAreCountedWithBoundedLabels() {
        ManualClock clock = new ManualClock();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EdgeMetrics metrics = EdgeMetrics.builder(registry).maxConsumers(1).percentiles(0.5, 0.99).build();
        InMemoryTransport upstream = new InMemoryTransport().refuse("10.0.0.1:80")
                .serve("10.0.0.2:80", (ex, r) -> Response.of(200, "text/plain", "hello").completed());
        Upstream api = Upstream.named("api").endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80).build();
        Edge edge = Edge.builder().ticker(clock).scheduler(clock).listener(metrics)
                .route(Route.named("api").path("/api/**").to(api).build())
                .route(Route.named("limited").path("/limited/**").to((ex, r) -> Response.problem(429, "Too Many Requests",
                        "slow down").completed()).build())
                .build();
        EdgeTester tester = new EdgeTester(edge, upstream, clock);
        for (int i = 0; i < 4; i++) {
            assertEquals(200, tester.send(Request.get("/api/users/" + i)).status());
        }
        tester.send(Request.get("/limited/x"));
        tester.send(Request.get("/nowhere/secret-path"));
        assertEquals(4.0, registry.get("edgekit.requests").tag("route", "api").tag("status", "2xx").counter().count());
        assertEquals(1.0, registry.get("edgekit.ratelimit.rejections").tag("route", "limited").counter().count());
        assertEquals(1.0, registry.get("edgekit.refusals").tag("status", "404").counter().count());
        assertEquals(1.0, registry.get("edgekit.requests").tag("route", "none").tag("status", "4xx").counter().count());
        assertEquals(20.0, registry.get("edgekit.bytes.out").tag("route", "api").counter().count());
        double refused = registry.get("edgekit.upstream.attempts").tag("endpoint", "10.0.0.1:80")
                .tag("outcome", "connect_failed").counters().stream().mapToDouble(c -> c.count()).sum();
        double answered = registry.get("edgekit.upstream.attempts").tag("endpoint", "10.0.0.2:80")
                .tag("outcome", "response").counters().stream().mapToDouble(c -> c.count()).sum();
        assertTrue(registry.find("edgekit.upstream.attempts").tag("kind", "retry").counters().size() >= 1,
                "a refused connect is retried on the other endpoint");
        assertEquals(4.0, answered);
        assertTrue(refused >= 1, "the refusing endpoint was tried: " + refused);
        assertEquals(0, metrics.inFlight());
        assertEquals(0, metrics.inFlight("api", "10.0.0.2:80"));
        edge.endpointGroup("api").orElseThrow().eject("10.0.0.1:80", Duration.ofSeconds(30));
        assertEquals(0.0, registry.get("edgekit.endpoint.serving").tag("endpoint", "10.0.0.1:80").gauge().value());
        assertEquals(1.0, registry.get("edgekit.endpoint.serving").tag("endpoint", "10.0.0.2:80").gauge().value());
        assertTrue(registry.get("edgekit.endpoint.ejections").tag("endpoint", "10.0.0.1:80").counter().count() >= 1);
        Set<String> labels = new TreeSet<>();
        for (Meter meter : registry.getMeters()) {
            meter.getId().getTags().forEach(tag -> labels.add(tag.getValue()));
        }
        assertTrue(labels.stream().noneMatch(v -> v.contains("secret-path") || v.contains("/users/") || v.contains("203.0.113")),
                labels.toString());
        assertTrue(registry.get("edgekit.request.duration").tag("route", "api").tag("status", "2xx").timer()
                .takeSnapshot().percentileValues().length == 2);
    }

    @Test
    void cacheResultsAreReadFromCacheStatus() {
        assertEquals("hit", EdgeMetrics.cacheResult("edgekit; hit; ttl=4"));
        assertEquals("stale", EdgeMetrics.cacheResult("edgekit; hit; stale"));
        assertEquals("miss", EdgeMetrics.cacheResult("edgekit; fwd=miss; stored"));
        assertEquals("uncacheable", EdgeMetrics.cacheResult("edgekit; fwd=uri-miss"));
    }
}
