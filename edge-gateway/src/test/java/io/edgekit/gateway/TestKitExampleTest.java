package io.edgekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgekit.core.Edge;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's test-kit example, word for word, from a module that uses the kit as an application would. */
@Timeout(10)
class TestKitExampleTest {
    @Test
    void theReadmeExampleRuns() {
        InMemoryTransport upstreams = new InMemoryTransport()
                .serve("10.0.0.1:8080", (exchange, request) -> Response.of(200, "text/plain", "orders").completed())
                .refuse("10.0.0.2:8080");
        Edge edge = Edge.builder()
                .route(Route.named("orders").path("/orders/**").policy(Policies.requireHeader("x-tenant"))
                        .to(Upstream.named("orders").endpoint("10.0.0.2", 8080).endpoint("10.0.0.1", 8080).build())
                        .build())
                .build();
        EdgeTester tester = new EdgeTester(edge, upstreams);
        assertEquals(400, tester.send(Request.get("/orders/1")).status());          // the policy refuses
        Response ok = tester.send(Request.builder().uri("/orders/1").header("x-tenant", "t1").build());
        assertEquals(200, ok.status());                                              // a refused connect is retried
        assertEquals("10.0.0.1:8080", upstreams.sent().get(upstreams.sent().size() - 1).endpoint().address());
    }
}
