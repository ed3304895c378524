package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Component;
import io.edgekit.core.Edge;
import io.edgekit.core.EdgeContext;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointGroup;
import io.edgekit.core.EndpointState;
import io.edgekit.core.HealthChecker;
import io.edgekit.core.Request;
import io.edgekit.core.Route;
import io.edgekit.core.Scheduler;
import io.edgekit.core.Upstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The health-checker seam as the load-balancer role will use it: a checker started with the server probes
 * real endpoints through the probe client on the edge's scheduler and ejects and restores them in the
 * upstream's live group; components start with the server and close at shutdown, in reverse order.
 */
@Timeout(30)
class HealthCheckSeamIT extends EdgeServerFixture {
    @RegisterExtension
    final Backends backends = new Backends();

    /** Probes GET /health on every endpoint every 50 ms: 200 restores, anything else ejects. */
    static final class ProbingChecker implements HealthChecker {
        @Override
        public AutoCloseable start(EndpointGroup group, EdgeContext context) {
            AtomicBoolean running = new AtomicBoolean(true);
            Runnable[] round = new Runnable[1];
            round[0] = () -> {
                if (!running.get()) {
                    return;
                }
                Upstream upstream = Upstream.named(group.name()).endpoint("127.0.0.1", 1).build();
                for (EndpointState state : group.snapshot().all()) {
                    Endpoint endpoint = state.endpoint();
                    context.probes().probe(upstream, endpoint, Request.get("/health"), Duration.ofSeconds(1))
                            .whenComplete((response, error) -> {
                                boolean healthy = error == null && response.status() == 200;
                                EndpointState now = group.snapshot().all().stream()
                                        .filter(s -> s.address().equals(endpoint.address())).findFirst().orElse(null);
                                if (now == null) {
                                    return;
                                }
                                if (!healthy && now.isServing()) {
                                    group.eject(endpoint.address(), Duration.ZERO);
                                } else if (healthy && !now.isServing()) {
                                    group.restore(endpoint.address());
                                }
                            });
                }
                context.scheduler().schedule(Duration.ofMillis(50), round[0]);
            };
            context.scheduler().schedule(Duration.ZERO, round[0]);
            return () -> running.set(false);
        }
    }

    @Test
    void aCheckerEjectsAnEndpointWhoseProbeFailsAndRestoresItWhenItPasses() throws Exception {
        AtomicBoolean sick = new AtomicBoolean(true);
        TestBackend a = backends.start("a", ex -> {
            int status = ex.getRequestPath().equals("/health") && sick.get() ? 503 : 200;
            byte[] body = ("a " + ex.getRequestPath()).getBytes(StandardCharsets.UTF_8);
            ex.setStatusCode(status);
            ex.getOutputStream().write(body);
            ex.getOutputStream().close();
        });
        TestBackend b = backends.echo("b");
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", a.port()).endpoint("127.0.0.1", b.port())
                .healthChecker(new ProbingChecker()).build();
        Edge edge = Edge.builder().route(Route.named("r").path("/**").to(upstream).build()).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
        EndpointGroup group = edge.endpointGroup("u").get();
        String aAddress = "127.0.0.1:" + a.port();
        Await.until("a ejected", () -> group.snapshot().serving().size() == 1);
        assertEquals(List.of(Endpoint.of("127.0.0.1", b.port())), group.snapshot().serving());
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("b /x", response.body());
        }
        sick.set(false);
        Await.until("a restored", () -> group.snapshot().all().stream()
                .anyMatch(s -> s.address().equals(aAddress) && s.isServing()));
        assertTrue(a.seen.stream().allMatch(s -> s.uri().equals("/health")), "a got only probes while ejected");
        assertEquals(aAddress, a.lastSeen().header("host"));
    }

    @Test
    void aProbeToAnEndpointThatIsDownFailsWithoutBlocking() throws Exception {
        Edge edge = Edge.builder().build();
        List<String> outcomes = new CopyOnWriteArrayList<>();
        int closed = RawHttp.closedPort();
        Component prober = context -> context.probes()
                .probe(Upstream.named("x").endpoint("127.0.0.1", closed).build(), Endpoint.of("127.0.0.1", closed),
                        Request.get("/"), Duration.ofSeconds(2))
                .whenComplete((r, e) -> outcomes.add(e == null ? "answered " + r.status() : e.getClass().getSimpleName()));
        server = EdgeServer.builder(Edge.builder().component(prober).build()).listen("127.0.0.1", 0).build().start();
        Await.until("the probe ended", () -> !outcomes.isEmpty());
        assertEquals(List.of("UpstreamException"), outcomes);
    }

    @Test
    void componentsStartWithTheServerAndCloseInReverseOrder() {
        List<String> order = new CopyOnWriteArrayList<>();
        class Named implements Component {
            private final String name;

            Named(String name) {
                this.name = name;
            }

            @Override
            public void start(EdgeContext context) {
                order.add("start " + name);
                Scheduler scheduler = context.scheduler();
                assertTrue(scheduler != null && context.ticker() != null);
            }

            @Override
            public void close() {
                order.add("close " + name);
            }
        }
        Edge edge = Edge.builder().component(new Named("keys")).component(new Named("store")).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
        assertEquals(List.of("start keys", "start store"), order);
        server.shutdown(Duration.ofMillis(100));
        server = null;
        assertEquals(List.of("start keys", "start store", "close store", "close keys"), order);
    }
}
