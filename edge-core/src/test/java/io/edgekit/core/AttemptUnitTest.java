package io.edgekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The attempt unit, in memory: retry rules, budgets, backoff, per-attempt timeouts, hedging, admission. */
@Timeout(20)
class AttemptUnitTest {
    private static final String ONE = "10.0.0.1:80";
    private static final String TWO = "10.0.0.2:80";

    private static Upstream.Builder api() {
        return Upstream.named("api").endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80);
    }

    private static EdgeTester tester(Upstream upstream, InMemoryTransport transport) {
        return new EdgeTester(Edge.builder().route(Route.named("api").path("/**").to(upstream).build()).build(),
                transport);
    }

    private static List<String> kinds(InMemoryTransport transport) {
        return transport.attempts().stream().map(a -> a.kind() + " " + a.endpoint()).toList();
    }

    /** A body that remembers being discarded. */
    private static class DiscardedBody implements Body {
        boolean discarded;

        @Override
        public long length() {
            return 3;
        }

        @Override
        public CompletionStage<byte[]> aggregate(long maxBytes) {
            return CompletableFuture.completedFuture(new byte[3]);
        }

        @Override
        public void discard() {
            discarded = true;
        }
    }

    @Test
    void aRuleThatRetriesOn503SendsTheRequestToAnotherEndpointAndDiscardsTheFirstBody() {
        DiscardedBody unavailable = new DiscardedBody();
        InMemoryTransport transport = new InMemoryTransport()
                .serve(ONE, (ex, r) -> Response.of(503, Headers.of(), unavailable).completed())
                .serve(TWO, (ex, r) -> Response.of(200).completed());
        Upstream upstream = api().retryRule(RetryRule.idempotent(Set.of(503))).build();
        assertEquals(200, tester(upstream, transport).send(Request.get("/")).status());
        assertEquals(List.of("FIRST " + ONE, "RETRY " + TWO), kinds(transport));
        assertTrue(unavailable.discarded);
    }

    @Test
    void theDefaultRuleAnswersA503AsItCame() {
        InMemoryTransport transport = new InMemoryTransport()
                .serve(ONE, (ex, r) -> Response.of(503).completed())
                .serve(TWO, (ex, r) -> Response.of(200).completed());
        assertEquals(503, tester(api().build(), transport).send(Request.get("/")).status());
        assertEquals(List.of("FIRST " + ONE), kinds(transport));
    }

    @Test
    void aPostIsNotRetriedAfterItWasSent() {
        InMemoryTransport transport = new InMemoryTransport()
                .serve(ONE, (ex, r) -> CompletableFuture.failedFuture(UpstreamException.reset("reset")))
                .serve(TWO, (ex, r) -> Response.of(200).completed());
        Upstream upstream = api().retryRule(RetryRule.idempotent(Set.of(503))).build();
        Response response = tester(upstream, transport).send(Request.of("POST", "/").withBody(Body.of("x")));
        assertEquals(502, response.status());
        assertEquals(1, transport.attempts().size());
    }

    @Test
    void theBudgetBoundsRetriesAcrossRequestsButARetryAfterNothingWasSentIsFree() {
        InMemoryTransport transport = new InMemoryTransport()
                .serve(ONE, (ex, r) -> CompletableFuture.failedFuture(UpstreamException.reset("reset")))
                .serve(TWO, (ex, r) -> CompletableFuture.failedFuture(UpstreamException.reset("reset")));
        Upstream upstream = api().retryBudget(RetryBudget.ratio(0, 1)).build();
        EdgeTester tester = tester(upstream, transport);
        assertEquals(502, tester.send(Request.get("/")).status());
        assertEquals(2, transport.attempts().size()); // the one retry the budget holds
        assertEquals(502, tester.send(Request.get("/")).status());
        assertEquals(3, transport.attempts().size()); // no retry left
        InMemoryTransport refusing = new InMemoryTransport().refuse(ONE).refuse(TWO);
        EdgeTester broke = tester(api().retryBudget(RetryBudget.ratio(0, 0)).build(), refusing);
        assertEquals(502, broke.send(Request.get("/")).status());
        assertEquals(2, refusing.attempts().size()); // connect failures: retried with an empty budget
    }

    @Test
    void aBackoffDelaysTheRetryOnTheEdgesClock() {
        InMemoryTransport transport = new InMemoryTransport().refuse(ONE)
                .serve(TWO, (ex, r) -> Response.of(200).completed());
        Upstream upstream = api().retryRule((attempt, outcome) -> outcome.kind() == Outcome.Kind.CONNECT_FAILED
                ? RetryRule.Verdict.retryAfter(Duration.ofMillis(100)) : RetryRule.Verdict.stop()).build();
        EdgeTester tester = tester(upstream, transport);
        CompletableFuture<Response> response = tester.start(Request.get("/"), "203.0.113.1");
        assertFalse(response.isDone());
        assertEquals(1, transport.attempts().size());
        tester.clock().advance(Duration.ofMillis(99));
        assertEquals(1, transport.attempts().size());
        tester.clock().advance(Duration.ofMillis(1));
        assertEquals(200, response.join().status());
    }

    @Test
    void anAttemptThatTimesOutIsCancelledAndRetriedWhenTheRuleSaysSo() {
        InMemoryTransport transport = new InMemoryTransport().hang(ONE)
                .serve(TWO, (ex, r) -> Response.of(200).completed());
        Upstream upstream = api().attemptTimeout(Duration.ofSeconds(1))
                .retryRule(RetryRule.idempotent(Set.of())).build();
        EdgeTester tester = tester(upstream, transport);
        CompletableFuture<Response> response = tester.start(Request.get("/"), "203.0.113.1");
        tester.clock().advance(Duration.ofSeconds(1));
        assertEquals(200, response.join().status());
        assertEquals(1, transport.cancelledAttempts());
    }

    @Test
    void anAttemptThatTimesOutIsA504WithoutARetry() {
        InMemoryTransport transport = new InMemoryTransport().hang(ONE).hang(TWO);
        Upstream upstream = api().attemptTimeout(Duration.ofSeconds(1)).retryRule(RetryRule.onConnectFailure())
                .build();
        EdgeTester tester = tester(upstream, transport);
        CompletableFuture<Response> response = tester.start(Request.get("/"), "203.0.113.1");
        tester.clock().advance(Duration.ofSeconds(1));
        assertEquals(504, response.join().status());
        assertEquals(1, transport.attempts().size());
    }

    @Test
    void aHedgeAnswersWhenTheFirstAttemptIsSlowAndTheLoserIsCancelled() {
        InMemoryTransport transport = new InMemoryTransport().hang(ONE)
                .serve(TWO, (ex, r) -> Response.of(200, "text/plain", "hedged").completed());
        Upstream upstream = api().hedging(Duration.ofMillis(50), 1).build();
        EdgeTester tester = tester(upstream, transport);
        CompletableFuture<Response> response = tester.start(Request.get("/"), "203.0.113.1");
        assertFalse(response.isDone());
        tester.clock().advance(Duration.ofMillis(50));
        assertEquals(200, response.join().status());
        assertEquals(List.of("FIRST " + ONE, "HEDGE " + TWO), kinds(transport));
        assertEquals(1, transport.cancelledAttempts());
    }

    @Test
    void aRequestWithAStreamedBodyIsNeverHedged() {
        InMemoryTransport transport = new InMemoryTransport().hang(ONE)
                .serve(TWO, (ex, r) -> Response.of(200).completed());
        Upstream upstream = api().hedging(Duration.ofMillis(50), 1).build();
        EdgeTester tester = tester(upstream, transport);
        Body streamed = new DiscardedBody() {
            @Override
            public long length() {
                return -1;
            }
        };
        tester.start(Request.of("PUT", "/").withBody(streamed), "203.0.113.1");
        tester.clock().advance(Duration.ofMillis(500));
        assertEquals(1, transport.attempts().size());
    }

    @Test
    void anAdmissionThatRefusesAnswers503AndIsToldOnlyOfAdmittedAttempts() {
        AtomicInteger told = new AtomicInteger();
        Admission closed = new Admission() {
            @Override
            public boolean admit(Attempt attempt) {
                return !attempt.endpoint().address().equals(ONE);
            }

            @Override
            public void onComplete(Attempt attempt, Outcome outcome) {
                told.incrementAndGet();
            }
        };
        InMemoryTransport transport = new InMemoryTransport().serve(ONE, (ex, r) -> Response.of(200).completed());
        Upstream upstream = Upstream.named("api").endpoint("10.0.0.1", 80).admission(closed).build();
        Response response = tester(upstream, transport).send(Request.get("/"));
        assertEquals(503, response.status());
        assertEquals(0, transport.attempts().size());
        assertEquals(0, told.get());
    }

    @Test
    void aRuleSeesTheAttemptAndItsOutcome() {
        StringBuilder seen = new StringBuilder();
        InMemoryTransport transport = new InMemoryTransport().refuse(ONE).refuse(TWO);
        Upstream upstream = api().maxAttempts(3).retryRule((attempt, outcome) -> {
            seen.append(attempt.number()).append(' ').append(attempt.kind()).append(' ')
                    .append(attempt.request().method()).append(' ').append(attempt.isReplayable()).append(' ')
                    .append(outcome.kind()).append(';');
            return RetryRule.Verdict.retryNow();
        }).build();
        assertEquals(502, tester(upstream, transport).send(Request.get("/")).status());
        // two endpoints: the second attempt is the last the upstream may make, so the rule is not asked
        assertEquals("1 FIRST GET true CONNECT_FAILED;", seen.toString());
    }

    @Test
    void byDefaultRetriesInFlightAreAShareOfRequestsInFlightWithAFloorAndRefusalsAreCounted() {
        InMemoryTransport transport = new InMemoryTransport()
                .serve(ONE, (ex, r) -> CompletableFuture.failedFuture(UpstreamException.reset("reset")))
                .hang(TWO);
        // no passive ejection here: ONE stays in the rotation and keeps failing
        Upstream upstream = api().admission(Admission.ALWAYS).build();
        Edge edge = Edge.builder().route(Route.named("api").path("/**").to(upstream).build()).build();
        EdgeTester tester = new EdgeTester(edge, transport);
        for (int i = 0; i < 5; i++) { // each: reset on ONE, retried on TWO, which never answers
            tester.start(Request.get("/" + i), "203.0.113.1");
        }
        // with at most five requests in flight, 20 % is one and the floor three: three retries hang on TWO, and
        // the next that asks is refused (and counted)
        long retries = transport.attempts().stream().filter(a -> a.kind() == Attempt.Kind.RETRY).count();
        assertEquals(3, retries);
        assertTrue(edge.endpointGroup("api").orElseThrow().retriesRefusedByBudget() >= 1);
    }

    @Test
    void byDefaultAnEndpointThatFailsIsAvoidedForTenSecondsButNeverTheLastOne() {
        InMemoryTransport transport = new InMemoryTransport().refuse(ONE)
                .serve(TWO, (ex, r) -> Response.of(200).completed());
        io.edgekit.core.testing.ManualClock clock = new io.edgekit.core.testing.ManualClock();
        Edge edge = Edge.builder().ticker(clock).scheduler(clock)
                .route(Route.named("api").path("/**").to(api().build()).build()).build();
        EdgeTester tester = new EdgeTester(edge, transport, clock);
        assertEquals(200, tester.send(Request.get("/")).status()); // ONE refused, retried on TWO
        for (int i = 0; i < 4; i++) {
            assertEquals(200, tester.send(Request.get("/")).status());
        }
        assertEquals(6, transport.attempts().size(), "ONE is not tried again while it is out");
        EndpointGroup group = edge.endpointGroup("api").orElseThrow();
        assertEquals(EndpointState.Status.EJECTED, group.snapshot().state(ONE).get().status());
        clock.advance(Duration.ofSeconds(10));
        assertEquals(EndpointState.Status.STARTING, group.snapshot().state(ONE).get().status()); // back by time
        InMemoryTransport lone = new InMemoryTransport().refuse(ONE);
        Edge single = Edge.builder().route(Route.named("api").path("/**")
                .to(Upstream.named("api").endpoint("10.0.0.1", 80).build()).build()).build();
        EdgeTester alone = new EdgeTester(single, lone);
        assertEquals(502, alone.send(Request.get("/")).status());
        assertEquals(502, alone.send(Request.get("/")).status()); // tried again: it is the only one
        assertEquals(2, lone.attempts().size());
    }
}
