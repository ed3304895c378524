package io.edgekit.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.EdgeContext;
import io.edgekit.core.EndpointGroup;
import io.edgekit.core.EndpointState;
import io.edgekit.core.ProbeClient;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.UpstreamException;
import io.edgekit.core.testing.ManualClock;
import io.edgekit.core.testing.ManualContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Active health checks in memory: scripted probe answers, a manual clock, the rise and fall thresholds. */
@Timeout(20)
class ActiveHealthCheckTest {
    private static final String A = "10.0.0.1:80";
    private static final String B = "10.0.0.2:80";

    private final ManualClock clock = new ManualClock();
    /** What each address answers now: a status and body, or null to refuse the connection. */
    private final Map<String, Response> answers = new ConcurrentHashMap<>();
    private final List<String> probed = new CopyOnWriteArrayList<>();
    private final ProbeClient probes = (upstream, endpoint, request, timeout) -> {
        probed.add(endpoint.address() + " " + request.uri());
        Response answer = answers.get(endpoint.address());
        return answer == null ? CompletableFuture.failedFuture(UpstreamException.connectFailed("refused"))
                : CompletableFuture.completedFuture(answer);
    };
    private final Edge edge = Edge.builder().ticker(clock).scheduler(clock)
            .route(Route.named("api").path("/**").to(Upstream.named("api").endpoint("10.0.0.1", 80)
                    .endpoint("10.0.0.2", 80).build()).build()).build();
    private final EndpointGroup group = edge.endpointGroup("api").orElseThrow();
    private final EdgeContext context = new ManualContext(clock, probes, edge);

    private EndpointState.Status status(String address) {
        return group.snapshot().all().stream().filter(s -> s.address().equals(address)).findFirst().orElseThrow()
                .status();
    }

    private void rounds(int n) {
        for (int i = 0; i < n; i++) {
            clock.advance(Duration.ofSeconds(1));
        }
    }

    @Test
    void ejectsAfterFallFailuresAndRestoresAfterRisePasses() throws Exception {
        answers.put(A, Response.of(200, "text/plain", "ok"));
        answers.put(B, Response.of(200, "text/plain", "ok"));
        ActiveHealthCheck check = HealthChecks.http("/health").interval(Duration.ofSeconds(1)).jitter(0)
                .timeout(Duration.ofMillis(500)).rise(2).fall(3).build();
        AutoCloseable running = check.start(group, context);
        clock.advance(Duration.ZERO);
        assertTrue(probed.containsAll(List.of(A + " /health", B + " /health")), probed.toString());
        answers.put(A, Response.of(500, "text/plain", "down"));
        rounds(2);
        assertEquals(EndpointState.Status.SERVING, status(A)); // two failures: not yet
        rounds(1);
        assertEquals(EndpointState.Status.EJECTED, status(A));
        assertEquals(EndpointState.Status.SERVING, status(B));
        answers.put(A, Response.of(200, "text/plain", "ok"));
        rounds(1);
        assertEquals(EndpointState.Status.EJECTED, status(A)); // one pass: not yet
        rounds(1);
        assertEquals(EndpointState.Status.STARTING, status(A));
        running.close();
        int before = probed.size();
        rounds(3);
        assertEquals(before, probed.size(), "no probes once closed");
    }

    @Test
    void aRefusedConnectionAndAMissingBodyTextFail() throws Exception {
        answers.put(A, Response.of(200, "text/plain", "status: degraded"));
        ActiveHealthCheck check = HealthChecks.http("/health").interval(Duration.ofSeconds(1)).jitter(0)
                .timeout(Duration.ofMillis(500)).fall(1).bodyContains("status: up").build();
        check.start(group, context);
        clock.advance(Duration.ZERO);
        assertEquals(EndpointState.Status.EJECTED, status(A)); // answered, but without the text
        assertEquals(EndpointState.Status.EJECTED, status(B)); // refused
    }

    @Test
    void anEndpointAnOperatorDrainedIsNeverRestoredByTheCheck() throws Exception {
        answers.put(A, Response.of(200, "text/plain", "ok"));
        answers.put(B, Response.of(200, "text/plain", "ok"));
        ActiveHealthCheck check = HealthChecks.http("/health").interval(Duration.ofSeconds(1)).jitter(0)
                .timeout(Duration.ofMillis(500)).rise(1).build();
        group.drain(A);
        group.eject(B, Duration.ZERO);
        check.start(group, context);
        rounds(3);
        assertEquals(EndpointState.Status.DRAINING, status(A));
        assertEquals(EndpointState.Status.EJECTED, status(B)); // ejected by someone else: theirs to restore
    }

    @Test
    void roundsComeWithinTheJitterOfTheInterval() throws Exception {
        answers.put(A, Response.of(204));
        answers.put(B, Response.of(204));
        List<Long> rounds = new CopyOnWriteArrayList<>();
        ProbeClient timed = (upstream, endpoint, request, timeout) -> {
            if (endpoint.address().equals(A)) {
                rounds.add(clock.nanos());
            }
            return probes.probe(upstream, endpoint, request, timeout);
        };
        EdgeContext timedContext = new ManualContext(clock, timed, edge);
        HealthChecks.http("/health").interval(Duration.ofSeconds(10)).jitter(0.5).timeout(Duration.ofSeconds(1))
                .build().start(group, timedContext);
        for (int i = 0; i < 400; i++) {
            clock.advance(Duration.ofMillis(500));
        }
        assertTrue(rounds.size() >= 14, rounds.size() + " rounds in 200 s");
        java.util.Set<Long> gaps = new java.util.HashSet<>();
        for (int i = 1; i < rounds.size(); i++) {
            long gap = rounds.get(i) - rounds.get(i - 1);
            assertTrue(gap >= 5_000_000_000L && gap <= 15_000_000_000L, "a gap of " + gap / 1_000_000 + " ms");
            gaps.add(gap);
        }
        assertTrue(gaps.size() > 1, "the gaps vary");
    }

    @Test
    void settingsAreChecked() {
        assertEquals("path: \"health\" (expected: an origin-form path such as /health)",
                assertThrows(IllegalArgumentException.class, () -> HealthChecks.http("health")).getMessage());
        assertEquals("fall: 0 (expected: >= 1)",
                assertThrows(IllegalArgumentException.class, () -> HealthChecks.http("/h").fall(0)).getMessage());
        assertEquals("health check /h: timeout 6000 ms is longer than the interval 5000 ms",
                assertThrows(IllegalStateException.class,
                        () -> HealthChecks.http("/h").timeout(Duration.ofSeconds(6)).build()).getMessage());
    }
}
