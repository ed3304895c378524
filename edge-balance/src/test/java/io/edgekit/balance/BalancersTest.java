package io.edgekit.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Attempt;
import io.edgekit.core.Balancer;
import io.edgekit.core.Edge;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointSnapshot;
import io.edgekit.core.Exchange;
import io.edgekit.core.Outcome;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class BalancersTest {
    private static final long SEED = 42;
    private static final List<Endpoint> THREE = List.of(Endpoint.of("10.0.0.1", 80), Endpoint.of("10.0.0.2", 80),
            Endpoint.of("10.0.0.3", 80));

    static Stream<Balancer> balancers() {
        return Stream.of(Balancers.roundRobin(), Balancers.leastInFlight(SEED), Balancers.random(),
                Balancers.peakEwma(java.time.Duration.ofSeconds(10), SEED),
                Balancers.ringHash(HashKey.header("x-user")), Balancers.maglev(HashKey.header("x-user")));
    }

    private static Attempt attempt(List<Endpoint> tried) {
        return new Attempt(Exchange.of(Request.get("/")), Request.get("/"), tried.size() + 1, tried);
    }

    @ParameterizedTest
    @MethodSource("balancers")
    void everyEndpointGetsTrafficWhenRequestsComplete(Balancer balancer) {
        Balancer.Picker picker = balancer.newPicker(EndpointSnapshot.of(THREE));
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            Attempt attempt = attempt(List.of());
            Endpoint picked = picker.pick(attempt).orElseThrow();
            counts.merge(picked, 1, Integer::sum);
            picker.onComplete(attempt, new Outcome(picked, Outcome.Kind.RESPONSE, 200, 1000));
        }
        assertEquals(3, counts.size(), "seed " + SEED + ": " + counts);
        counts.values().forEach(c -> assertTrue(c >= 50, "seed " + SEED + ": " + counts));
    }

    @ParameterizedTest
    @MethodSource("balancers")
    void retriesAvoidTriedEndpoints(Balancer balancer) {
        Balancer.Picker picker = balancer.newPicker(EndpointSnapshot.of(THREE));
        int untried = 0;
        for (int i = 0; i < 100; i++) {
            Endpoint picked = picker.pick(attempt(List.of(THREE.get(0), THREE.get(1)))).orElseThrow();
            if (balancer.name().equals("roundRobin")) {
                assertEquals(THREE.get(2), picked);
            }
            untried += picked.equals(THREE.get(2)) ? 1 : 0;
        }
        // round robin always skips tried endpoints; two random choices avoid them whenever one of the two
        // sampled is untried (2 times in 3), so the untried endpoint must win well over a third of the picks
        assertTrue(untried >= 50, "seed " + SEED + ": the untried endpoint got " + untried + " of 100");
    }

    @ParameterizedTest
    @MethodSource("balancers")
    void emptySnapshotPicksNothing(Balancer balancer) {
        assertTrue(balancer.newPicker(EndpointSnapshot.of(List.of())).pick(attempt(List.of())).isEmpty());
    }

    @Test
    void leastInFlightSteersAwayFromASlowEndpoint() {
        LeastInFlightBalancer.InFlightPicker picker =
                (LeastInFlightBalancer.InFlightPicker) Balancers.leastInFlight(SEED).newPicker(EndpointSnapshot.of(THREE));
        Endpoint slow = THREE.get(0);
        int slowPicks = 0;
        for (int i = 0; i < 300; i++) {
            Attempt attempt = attempt(List.of());
            Endpoint picked = picker.pick(attempt).orElseThrow();
            if (picked.equals(slow)) {
                slowPicks++; // never completes: its in-flight count only grows
            } else {
                picker.onComplete(attempt, new Outcome(picked, Outcome.Kind.RESPONSE, 200, 1000));
            }
        }
        assertTrue(slowPicks < 20, "seed " + SEED + ": slow endpoint got " + slowPicks + " of 300");
        assertEquals(slowPicks, picker.inFlight(slow));
    }

    @Test
    void engineReportsOutcomesSoInFlightReturnsToZero() {
        List<LeastInFlightBalancer.InFlightPicker> pickers = new java.util.ArrayList<>();
        Balancer inner = Balancers.leastInFlight(SEED);
        Balancer balancer = snapshot -> {
            LeastInFlightBalancer.InFlightPicker picker =
                    (LeastInFlightBalancer.InFlightPicker) inner.newPicker(snapshot);
            pickers.add(picker);
            return picker;
        };
        // no passive ejection: the refusing endpoint stays in the one snapshot, and its picks must be reported
        Upstream upstream = Upstream.named("u").balancer(balancer).endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80)
                .admission(io.edgekit.core.Admission.ALWAYS).build();
        InMemoryTransport transport = new InMemoryTransport()
                .serve("10.0.0.1:80", (ex, r) -> Response.of(200).completed())
                .refuse("10.0.0.2:80");
        Edge edge = Edge.builder().route(Route.named("r").path("/**").to(upstream).build()).build();
        EdgeTester tester = new EdgeTester(edge, transport);
        for (int i = 0; i < 20; i++) {
            assertEquals(200, tester.send(Request.get("/")).status());
        }
        assertEquals(1, pickers.size());
        assertEquals(0, pickers.get(0).inFlight(Endpoint.of("10.0.0.1", 80)), "seed " + SEED);
        assertEquals(0, pickers.get(0).inFlight(Endpoint.of("10.0.0.2", 80)), "seed " + SEED);
    }

    @Test
    void peakEwmaSteersAwayFromASlowEndpointEvenWhenNothingQueues() {
        LeastInFlightBalancer.InFlightPicker picker = (LeastInFlightBalancer.InFlightPicker)
                Balancers.peakEwma(java.time.Duration.ofSeconds(10), SEED).newPicker(EndpointSnapshot.of(THREE));
        Endpoint slow = THREE.get(0);
        int slowPicks = 0;
        for (int i = 0; i < 300; i++) {
            Attempt attempt = attempt(List.of());
            Endpoint picked = picker.pick(attempt).orElseThrow();
            slowPicks += picked.equals(slow) ? 1 : 0;
            long latency = picked.equals(slow) ? 100_000_000 : 1_000_000; // 100 ms against 1 ms
            picker.onComplete(attempt, new Outcome(picked, Outcome.Kind.RESPONSE, 200, latency));
        }
        // every request completes before the next, so in-flight counts alone could not tell them apart
        assertTrue(slowPicks < 20, "seed " + SEED + ": slow endpoint got " + slowPicks + " of 300");
        assertTrue(picker.cost(slow) >= 99_000_000, "its average keeps the peak: " + picker.cost(slow));
        assertEquals(0, picker.inFlight(slow));
    }
}
