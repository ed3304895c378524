package io.edgekit.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.EndpointGroup;
import io.edgekit.core.EndpointState;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import io.edgekit.core.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Passive health checks in memory, on a manual clock: ejection, growing ejections, re-admission by time. */
@Timeout(20)
class OutlierDetectionTest {
    private static final String A = "10.0.0.1:80";
    private static final String B = "10.0.0.2:80";

    private final ManualClock clock = new ManualClock();
    private Edge edge;

    private EdgeTester tester(OutlierDetection detection, InMemoryTransport transport) {
        Upstream upstream = Upstream.named("api").endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80)
                .admission(detection).build();
        edge = Edge.builder().ticker(clock).scheduler(clock)
                .route(Route.named("api").path("/**").to(upstream).build()).build();
        return new EdgeTester(edge, transport, clock);
    }

    private static List<Integer> statuses(EdgeTester tester, int n) {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            statuses.add(tester.send(Request.get("/")).status());
        }
        return statuses;
    }

    private EndpointState.Status status(String address) {
        EndpointGroup group = edge.endpointGroup("api").orElseThrow();
        return group.snapshot().all().stream().filter(s -> s.address().equals(address)).findFirst().orElseThrow()
                .status();
    }

    @Test
    void anEndpointFailingInARowIsEjectedForLongerEachTimeAndComesBackByItself() {
        OutlierDetection detection = HealthChecks.outlierDetection().consecutiveFailures(3)
                .ejection(Duration.ofSeconds(10), Duration.ofSeconds(15)).build();
        InMemoryTransport transport = new InMemoryTransport()
                .serve(A, (ex, r) -> Response.of(503).completed())
                .serve(B, (ex, r) -> Response.of(200).completed());
        EdgeTester tester = tester(detection, transport);
        assertEquals(List.of(503, 200, 503, 200, 503, 200), statuses(tester, 6));
        assertEquals(EndpointState.Status.EJECTED, status(A));
        assertEquals(1, detection.ejections("api", A));
        assertEquals(List.of(200, 200, 200, 200), statuses(tester, 4)); // A is out
        clock.advance(Duration.ofSeconds(10));
        assertEquals(EndpointState.Status.STARTING, status(A)); // back by time, no probe needed
        assertTrue(statuses(tester, 6).contains(503));
        assertTrue(statuses(tester, 6).stream().filter(s -> s == 503).count() <= 3);
        assertEquals(EndpointState.Status.EJECTED, status(A));
        assertEquals(2, detection.ejections("api", A));
        clock.advance(Duration.ofSeconds(14));
        assertEquals(EndpointState.Status.EJECTED, status(A)); // the second lasts twice as long, capped at 15 s
        clock.advance(Duration.ofSeconds(1));
        assertEquals(EndpointState.Status.STARTING, status(A));
    }

    @Test
    void aSuccessBreaksTheRunAndAbandonedAttemptsCountForNothing() {
        OutlierDetection detection = HealthChecks.outlierDetection().consecutiveFailures(2).build();
        int[] calls = {0};
        InMemoryTransport transport = new InMemoryTransport()
                .serve(A, (ex, r) -> Response.of(calls[0]++ % 2 == 0 ? 502 : 200).completed())
                .serve(B, (ex, r) -> Response.of(200).completed());
        EdgeTester tester = tester(detection, transport);
        statuses(tester, 20); // A answers 502, 200, 502, 200...: never two failures in a row
        assertEquals(EndpointState.Status.SERVING, status(A));
        assertEquals(0, detection.ejections("api", A));
    }

    @Test
    void connectFailuresCountAndStatusesCanBeLeftOut() {
        OutlierDetection detection = HealthChecks.outlierDetection().consecutiveFailures(2)
                .failures(OutlierDetection.Failures.CONNECTION_ONLY).build();
        InMemoryTransport transport = new InMemoryTransport().refuse(A)
                .serve(B, (ex, r) -> Response.of(503).completed());
        EdgeTester tester = tester(detection, transport);
        statuses(tester, 4); // A refuses (each retried on B), B answers 503, which counts for nothing here
        assertEquals(EndpointState.Status.EJECTED, status(A));
        assertEquals(EndpointState.Status.SERVING, status(B));
    }

    @Test
    void neverEjectsMoreThanTheMaximumShare() {
        OutlierDetection detection = HealthChecks.outlierDetection().consecutiveFailures(1).maxEjectedPercent(50)
                .build();
        InMemoryTransport transport = new InMemoryTransport()
                .serve(A, (ex, r) -> Response.of(503).completed())
                .serve(B, (ex, r) -> Response.of(504).completed());
        EdgeTester tester = tester(detection, transport);
        assertEquals(List.of(503, 504, 504, 504), statuses(tester, 4));
        assertEquals(EndpointState.Status.EJECTED, status(A));
        assertEquals(EndpointState.Status.SERVING, status(B)); // one of two is the most that may go
    }

    @Test
    void settingsAreChecked() {
        assertEquals("consecutiveFailures: 0 (expected: >= 1)", assertThrows(IllegalArgumentException.class,
                () -> HealthChecks.outlierDetection().consecutiveFailures(0)).getMessage());
        assertEquals("maxEjectedPercent: 101 (expected: 0-100)", assertThrows(IllegalArgumentException.class,
                () -> HealthChecks.outlierDetection().maxEjectedPercent(101)).getMessage());
        assertEquals("max ejection: PT1S (expected: >= the base, PT2S)", assertThrows(IllegalArgumentException.class,
                () -> HealthChecks.outlierDetection().ejection(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .getMessage());
    }
}
