package io.edgekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import io.edgekit.core.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Live endpoint groups: runtime changes, snapshots to the balancer, identity across route swaps. */
@Timeout(20)
class EndpointGroupTest {
    private final ManualClock clock = new ManualClock();
    private final InMemoryTransport transport = new InMemoryTransport()
            .serve("10.0.0.1:80", (ex, r) -> Response.of(200, "text/plain", "one").completed())
            .serve("10.0.0.2:80", (ex, r) -> Response.of(200, "text/plain", "two").completed())
            .serve("10.0.0.3:80", (ex, r) -> Response.of(200, "text/plain", "three").completed());

    private static Upstream api() {
        return Upstream.named("api").endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80).build();
    }

    private Edge edge(Upstream upstream) {
        return Edge.builder().ticker(clock).scheduler(clock)
                .route(Route.named("api").path("/**").to(upstream).build()).build();
    }

    private List<String> bodies(EdgeTester tester, int n) {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            bodies.add(EdgeTest.body(tester.send(Request.get("/"))));
        }
        return bodies;
    }

    @Test
    void aDrainedEndpointGetsNoNewRequestsUntilRestored() {
        Edge edge = edge(api());
        EdgeTester tester = new EdgeTester(edge, transport, clock);
        EndpointGroup group = edge.endpointGroup("api").get();
        group.drain("10.0.0.1:80");
        assertEquals(EndpointState.Status.DRAINING, group.snapshot().all().get(0).status());
        assertEquals(List.of("two", "two", "two"), bodies(tester, 3));
        group.restore("10.0.0.1:80");
        assertEquals(EndpointState.Status.STARTING, group.snapshot().all().get(0).status());
        assertTrue(bodies(tester, 4).contains("one"));
    }

    @Test
    void anEjectionEndsByItselfOnTheEdgesClock() {
        Edge edge = edge(api());
        EdgeTester tester = new EdgeTester(edge, transport, clock);
        EndpointGroup group = edge.endpointGroup("api").get();
        group.eject("10.0.0.2:80", Duration.ofSeconds(30));
        assertEquals(List.of(Endpoint.of("10.0.0.1", 80)), group.snapshot().serving());
        assertEquals(List.of("one", "one"), bodies(tester, 2));
        clock.advance(Duration.ofSeconds(29));
        assertEquals(1, group.snapshot().serving().size());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(2, group.snapshot().serving().size());
    }

    @Test
    void endpointsAreAddedReweightedAndRemovedAtRuntime() {
        Edge edge = edge(api());
        EdgeTester tester = new EdgeTester(edge, transport, clock);
        EndpointGroup group = edge.endpointGroup("api").get();
        List<EndpointSnapshot> seen = new ArrayList<>();
        group.subscribe(seen::add);
        group.add(Endpoint.of("10.0.0.3", 80).withZone("eu-1"));
        assertTrue(bodies(tester, 3).contains("three"));
        group.reweight("10.0.0.3:80", 5);
        assertEquals(5, group.snapshot().all().get(2).endpoint().weight());
        assertEquals("eu-1", group.snapshot().all().get(2).endpoint().zone());
        group.remove("10.0.0.1:80");
        group.remove("10.0.0.2:80");
        assertEquals(List.of("three", "three"), bodies(tester, 2));
        assertEquals(5, seen.size()); // the current snapshot, then one per change
        assertTrue(seen.get(4).version() > seen.get(0).version());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> group.add(Endpoint.of("10.0.0.3", 80)));
        assertEquals("upstream 'api': endpoint 10.0.0.3:80 is already in the group", twice.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> group.drain("10.9.9.9:1"));
        assertEquals("upstream 'api': no endpoint 10.9.9.9:1", none.getMessage());
    }

    @Test
    void aRouteSwapKeepsTheGroupAndItsStatesAndTakesTheNewEndpoints() {
        Edge edge = edge(api());
        EndpointGroup group = edge.endpointGroup("api").get();
        group.drain("10.0.0.1:80");
        Upstream wider = Upstream.named("api").endpoint("10.0.0.1", 80).endpoint("10.0.0.3", 80, 3).build();
        edge.updateRoutes(List.of(Route.named("api").path("/**").to(wider).build()));
        assertSame(group, edge.endpointGroup("api").get());
        List<EndpointState> states = group.snapshot().all();
        assertEquals(2, states.size());
        assertEquals(EndpointState.Status.DRAINING, states.get(0).status());
        assertEquals(EndpointState.Status.SERVING, states.get(1).status());
        assertEquals(3, states.get(1).endpoint().weight());
        EdgeTester tester = new EdgeTester(edge, transport, clock);
        assertEquals(List.of("three", "three"), bodies(tester, 2));
        edge.updateRoutes(List.of());
        assertTrue(edge.endpointGroup("api").isEmpty());
    }

    @Test
    void theBalancerGetsEachSnapshot() {
        List<EndpointSnapshot> snapshots = new ArrayList<>();
        Balancer recording = snapshot -> {
            snapshots.add(snapshot);
            return Balancer.roundRobin().newPicker(snapshot);
        };
        Upstream upstream = Upstream.named("api").endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80)
                .balancer(recording).build();
        Edge edge = edge(upstream);
        edge.endpointGroup("api").get().eject("10.0.0.1:80", Duration.ZERO);
        assertEquals(2, snapshots.size());
        assertEquals("api", snapshots.get(1).upstream());
        assertEquals(List.of(Endpoint.of("10.0.0.2", 80)), snapshots.get(1).serving());
        assertEquals(Long.MAX_VALUE, snapshots.get(1).all().get(0).untilNanos());
        assertEquals(Map.of("api", edge.endpointGroup("api").get()), edge.endpointGroups());
    }

    @Test
    void noServingEndpointIsA503() {
        Edge edge = edge(api());
        EndpointGroup group = edge.endpointGroup("api").get();
        group.drain("10.0.0.1:80");
        group.drain("10.0.0.2:80");
        Response response = new EdgeTester(edge, transport, clock).send(Request.get("/"));
        assertEquals(503, response.status());
        assertTrue(EdgeTest.body(response).contains("upstream 'api' has no endpoint available"));
    }

    @Test
    void theEdgesListenersHearEveryChangeOfHealth() {
        List<EndpointSnapshot> heard = new ArrayList<>();
        ExchangeListener.Factory listener = new ExchangeListener.Factory() {
            @Override
            public ExchangeListener create(Exchange exchange) {
                return ExchangeListener.NONE;
            }

            @Override
            public void endpointsChanged(EndpointSnapshot snapshot) {
                heard.add(snapshot);
            }
        };
        Edge edge = Edge.builder().ticker(clock).scheduler(clock).listener(listener)
                .listener(ex -> ExchangeListener.NONE).route(Route.named("api").path("/**").to(api()).build()).build();
        edge.endpointGroup("api").get().eject("10.0.0.1:80", Duration.ofSeconds(5));
        clock.advance(Duration.ofSeconds(5));
        assertEquals(3, heard.size()); // the first snapshot, the ejection, the return
        assertEquals(EndpointState.Status.EJECTED, heard.get(1).state("10.0.0.1:80").get().status());
        assertEquals(EndpointState.Status.STARTING, heard.get(2).state("10.0.0.1:80").get().status());
    }
}
