package io.edgekit.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgekit.core.Edge;
import io.edgekit.core.EdgeContext;
import io.edgekit.core.EndpointGroup;
import io.edgekit.core.EndpointState;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.ManualClock;
import io.edgekit.core.testing.ManualContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DNS discovery against a scripted resolver (the outside world), on a manual clock. */
@Timeout(20)
class DnsDiscoveryTest {
    private final ManualClock clock = new ManualClock();
    private final AtomicReference<List<String>> answer = new AtomicReference<>(List.of("10.0.0.1", "10.0.0.2"));
    private final Edge edge = Edge.builder().ticker(clock).scheduler(clock).route(Route.named("api").path("/**")
            .to(Upstream.named("api").endpoint("api.internal", 8080).build()).build()).build();
    private final EndpointGroup group = edge.endpointGroup("api").orElseThrow();
    private final EdgeContext context = new ManualContext(clock, (upstream, endpoint, request, timeout) -> {
        throw new UnsupportedOperationException("discovery sends no probes");
    }, edge);
    private final DnsDiscovery discovery = DnsDiscovery.of("api.internal", 8080).interval(Duration.ofSeconds(5))
            .drainTime(Duration.ofSeconds(10)).lookupExecutor(Runnable::run)
            .resolver(host -> {
                List<String> now = answer.get();
                if (now == null) {
                    throw new UnknownHostException(host);
                }
                List<InetAddress> addresses = new java.util.ArrayList<>();
                for (String ip : now) {
                    addresses.add(InetAddress.getByName(ip));
                }
                return addresses;
            }).build();

    private Map<String, EndpointState.Status> members() {
        Map<String, EndpointState.Status> members = new TreeMap<>();
        for (EndpointState state : group.snapshot().all()) {
            members.put(state.address(), state.status());
        }
        return members;
    }

    @Test
    void theNamesAddressesBecomeTheEndpointsAndFollowTheAnswer() throws Exception {
        discovery.start(group, context);
        clock.advance(Duration.ZERO);
        assertEquals(Map.of("10.0.0.1:8080", EndpointState.Status.STARTING, "10.0.0.2:8080",
                EndpointState.Status.STARTING), members());
        answer.set(List.of("10.0.0.2", "10.0.0.3"));
        clock.advance(Duration.ofSeconds(5));
        assertEquals(Map.of("10.0.0.1:8080", EndpointState.Status.DRAINING, "10.0.0.2:8080",
                EndpointState.Status.STARTING, "10.0.0.3:8080", EndpointState.Status.STARTING), members());
        clock.advance(Duration.ofSeconds(10));
        assertEquals(List.of("10.0.0.2:8080", "10.0.0.3:8080"), List.copyOf(members().keySet()));
    }

    @Test
    void anAddressBackBeforeItsDrainEndedIsRestoredAndAFailedLookupKeepsTheLastAnswer() throws Exception {
        discovery.start(group, context);
        clock.advance(Duration.ZERO);
        answer.set(List.of("10.0.0.2"));
        clock.advance(Duration.ofSeconds(5));
        assertEquals(EndpointState.Status.DRAINING, members().get("10.0.0.1:8080"));
        answer.set(List.of("10.0.0.1", "10.0.0.2"));
        clock.advance(Duration.ofSeconds(5));
        assertEquals(EndpointState.Status.STARTING, members().get("10.0.0.1:8080"));
        answer.set(null); // the name server is down
        clock.advance(Duration.ofSeconds(30));
        assertEquals(2, members().size());
    }

    @Test
    void stopsWhenClosedAndChecksItsSettings() throws Exception {
        AutoCloseable running = discovery.start(group, context);
        clock.advance(Duration.ZERO);
        running.close();
        answer.set(List.of("10.0.0.9"));
        clock.advance(Duration.ofSeconds(20));
        assertEquals(2, members().size());
        assertEquals("interval: PT0.5S (expected: >= 1 s)", assertThrows(IllegalArgumentException.class,
                () -> DnsDiscovery.of("x", 80).interval(Duration.ofMillis(500))).getMessage());
    }
}
