package io.edgekit.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Endpoint;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import io.edgekit.core.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Slow start in memory: an endpoint added at runtime ramps up over the window on the edge's clock. */
@Timeout(20)
class SlowStartTest {
    @Test
    void aNewEndpointTakesASmallShareFirstAndItsFullShareAfterTheWindow() {
        ManualClock clock = new ManualClock();
        InMemoryTransport transport = new InMemoryTransport()
                .serve("10.0.0.1:80", (ex, r) -> Response.of(200, "text/plain", "a").completed())
                .serve("10.0.0.2:80", (ex, r) -> Response.of(200, "text/plain", "b").completed())
                .serve("10.0.0.3:80", (ex, r) -> Response.of(200, "text/plain", "new").completed());
        Upstream upstream = Upstream.named("api").endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80)
                .balancer(Balancers.slowStart(Balancers.roundRobin(), Duration.ofSeconds(10))).build();
        Edge edge = Edge.builder().ticker(clock).scheduler(clock)
                .route(Route.named("api").path("/**").to(upstream).build()).build();
        EdgeTester tester = new EdgeTester(edge, transport, clock);
        edge.endpointGroup("api").orElseThrow().add(Endpoint.of("10.0.0.3", 80));
        int early = count(tester, 3000);
        assertTrue(early < 300, "the new endpoint took " + early + " of 3000 at once (a third would be 1000)");
        clock.advance(Duration.ofSeconds(5));
        int middle = count(tester, 3000);
        assertTrue(middle > early && middle < 1000, "halfway through the window: " + middle);
        clock.advance(Duration.ofSeconds(5));
        assertEquals(1000, count(tester, 3000));
    }

    private static int count(EdgeTester tester, int requests) {
        int hits = 0;
        for (int i = 0; i < requests; i++) {
            Response response = tester.send(Request.get("/"));
            byte[] body = response.body().aggregate(64).toCompletableFuture().join();
            hits += new String(body, StandardCharsets.UTF_8).equals("new") ? 1 : 0;
        }
        return hits;
    }
}
