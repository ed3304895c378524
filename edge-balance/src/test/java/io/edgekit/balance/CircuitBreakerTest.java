package io.edgekit.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Admission;
import io.edgekit.core.Edge;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Circuit breaking by concurrency, in memory: over the limit a request is refused at once with 503. */
@Timeout(20)
class CircuitBreakerTest {
    private final List<CompletableFuture<Response>> held = new ArrayList<>();
    private final InMemoryTransport transport = new InMemoryTransport()
            .serve("10.0.0.1:80", (ex, r) -> hold())
            .serve("10.0.0.2:80", (ex, r) -> hold());

    private synchronized CompletableFuture<Response> hold() {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        held.add(answer);
        return answer;
    }

    private EdgeTester tester(Admission admission) {
        Upstream upstream = Upstream.named("api").endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80)
                .admission(admission).build();
        return new EdgeTester(Edge.builder().route(Route.named("api").path("/**").to(upstream).build()).build(),
                transport);
    }

    @Test
    void overTheLimitARequestGets503WithRetryAfterAtOnceAndAFreedPlaceIsTakenAgain() {
        CircuitBreaker breaker = HealthChecks.circuitBreaker(2, 0);
        EdgeTester tester = tester(breaker);
        CompletableFuture<Response> first = tester.start(Request.get("/1"), "203.0.113.1");
        CompletableFuture<Response> second = tester.start(Request.get("/2"), "203.0.113.1");
        assertEquals(2, breaker.inFlight("api"));
        Response refused = tester.send(Request.get("/3"));
        assertEquals(503, refused.status());
        assertEquals("1", refused.headers().firstOrNull("retry-after"));
        String body = new String(refused.body().aggregate(4096).toCompletableFuture().join(), StandardCharsets.UTF_8);
        assertTrue(body.contains("upstream 'api' is at its limit of requests"), body);
        assertEquals(2, transport.attempts().size(), "nothing was sent for the refused request");
        held.get(0).complete(Response.of(200));
        assertEquals(200, first.join().status());
        assertEquals(1, breaker.inFlight("api"));
        CompletableFuture<Response> fourth = tester.start(Request.get("/4"), "203.0.113.1");
        assertFalse(fourth.isDone());
        assertEquals(3, transport.attempts().size());
        held.get(1).complete(Response.of(200));
        held.get(2).complete(Response.of(200));
        assertEquals(200, second.join().status());
        assertEquals(200, fourth.join().status());
        assertEquals(0, breaker.inFlight("api"));
    }

    @Test
    void aLimitPerEndpointRefusesOnceEveryEndpointIsFull() {
        CircuitBreaker breaker = HealthChecks.circuitBreaker(10, 1);
        EdgeTester tester = tester(breaker);
        tester.start(Request.get("/1"), "203.0.113.1"); // round robin: 10.0.0.1
        tester.start(Request.get("/2"), "203.0.113.1"); // 10.0.0.2
        Response third = tester.send(Request.get("/3"));
        assertEquals(503, third.status()); // both endpoints at their limit
        assertEquals(2, breaker.inFlight("api"));
    }

    @Test
    void combinedWithOutlierDetectionBothHearEveryOutcome() {
        CircuitBreaker breaker = HealthChecks.circuitBreaker(1, 0);
        OutlierDetection detection = HealthChecks.outlierDetection().consecutiveFailures(1).build();
        EdgeTester tester = tester(Admission.allOf(detection, breaker));
        CompletableFuture<Response> first = tester.start(Request.get("/1"), "203.0.113.1");
        assertEquals(503, tester.send(Request.get("/2")).status());
        held.get(0).complete(Response.of(502));
        assertEquals(502, first.join().status());
        assertEquals(0, breaker.inFlight("api"));
        assertEquals(1, detection.ejections("api", "10.0.0.1:80"));
    }
}
