package io.edgekit.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.edgekit.core.Body;
import io.edgekit.core.Edge;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.RetryRule;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.UpstreamException;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Retries in memory: the default rule, statuses, Retry-After, backoff on the manual clock, methods. */
@Timeout(20)
class RetriesTest {
    private static final String A = "10.0.0.1:80";
    private static final String B = "10.0.0.2:80";

    private static EdgeTester tester(RetryRule rule, InMemoryTransport transport) {
        Upstream.Builder upstream = Upstream.named("api").endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80);
        if (rule != null) {
            upstream.retryRule(rule);
        }
        return new EdgeTester(Edge.builder().route(Route.named("api").path("/**").to(upstream.build()).build())
                .build(), transport);
    }

    private static InMemoryTransport resetThenOk() {
        return new InMemoryTransport()
                .serve(A, (ex, r) -> CompletableFuture.failedFuture(UpstreamException.reset("reset")))
                .serve(B, (ex, r) -> Response.of(200).completed());
    }

    @Test
    void byDefaultAnIdempotentRequestIsRetriedAfterAResetAndAPostIsNot() {
        assertEquals(200, tester(null, resetThenOk()).send(Request.get("/")).status());
        InMemoryTransport transport = resetThenOk();
        assertEquals(502, tester(null, transport).send(Request.of("POST", "/").withBody(Body.of("x"))).status());
        assertEquals(1, transport.attempts().size());
    }

    @Test
    void chosenStatusesAreRetriedAndAShortRetryAfterIsWaitedFor() {
        InMemoryTransport transport = new InMemoryTransport()
                .serve(A, (ex, r) -> Response.of(503).withHeader("retry-after", "1").completed())
                .serve(B, (ex, r) -> Response.of(200).completed());
        EdgeTester tester = tester(Retries.rule().onStatus(503).backoff(Duration.ZERO, Duration.ofSeconds(2))
                .build(), transport);
        CompletableFuture<Response> response = tester.start(Request.get("/"), "203.0.113.1");
        tester.clock().advance(Duration.ofMillis(999));
        assertFalse(response.isDone());
        tester.clock().advance(Duration.ofMillis(1));
        assertEquals(200, response.join().status());
    }

    @Test
    void aRetryAfterLongerThanTheLongestBackoffIsNotWaitedFor() {
        InMemoryTransport transport = new InMemoryTransport()
                .serve(A, (ex, r) -> Response.of(503).withHeader("retry-after", "30").completed())
                .serve(B, (ex, r) -> Response.of(200).completed());
        Response response = tester(Retries.rule().onStatus(503).build(), transport).send(Request.get("/"));
        assertEquals(503, response.status());
        assertEquals("30", response.headers().firstOrNull("retry-after"));
        assertEquals(1, transport.attempts().size());
    }

    @Test
    void theBackoffWaitsAtMostItsCeiling() {
        InMemoryTransport transport = new InMemoryTransport().refuse(A).serve(B, (ex, r) -> Response.of(200).completed());
        EdgeTester tester = tester(Retries.rule().backoff(Duration.ofMillis(100), Duration.ofMillis(100)).build(),
                transport);
        CompletableFuture<Response> response = tester.start(Request.get("/"), "203.0.113.1");
        tester.clock().advance(Duration.ofMillis(100));
        assertEquals(200, response.join().status());
    }

    @Test
    void aPostIsRetriedOnlyWhenAskedAndItsBodyCanBeSentAgain() {
        RetryRule any = Retries.rule().anyMethod(true).backoff(Duration.ZERO, Duration.ZERO).build();
        assertEquals(200, tester(any, resetThenOk()).send(Request.of("POST", "/").withBody(Body.of("x"))).status());
        RetryRule idempotentOnly = Retries.rule().backoff(Duration.ZERO, Duration.ZERO).build();
        assertEquals(502, tester(idempotentOnly, resetThenOk()).send(Request.of("POST", "/").withBody(Body.of("x")))
                .status());
    }

    @Test
    void aRouteMaySayOtherwiseThanItsUpstream() {
        Upstream upstream = Upstream.named("api").endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80)
                .admission(io.edgekit.core.Admission.ALWAYS).build(); // the resetting endpoint stays in rotation
        Edge edge = Edge.builder()
                .route(Route.named("orders").path("/orders").retryRule(Retries.rule().anyMethod(true)
                        .backoff(Duration.ZERO, Duration.ZERO).build()).to(upstream).build())
                .route(Route.named("never").path("/never").retryRule((attempt, outcome) -> RetryRule.Verdict.stop())
                        .to(upstream).build())
                .build();
        EdgeTester tester = new EdgeTester(edge, resetThenOk());
        assertEquals(200, tester.send(Request.of("POST", "/orders").withBody(Body.of("x"))).status());
        EdgeTester again = new EdgeTester(edge, resetThenOk());
        assertEquals(502, again.send(Request.get("/never")).status()); // round robin starts on the resetting one
    }
}
