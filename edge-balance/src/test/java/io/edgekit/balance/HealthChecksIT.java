package io.edgekit.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.EndpointGroup;
import io.edgekit.core.EndpointState;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.proxy.EdgeServer;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Health checks over real connections: loopback backends that fall sick, recover or stop hard, an edge
 * probing them, and clients that must not notice once an endpoint is out.
 */
@Timeout(60)
class HealthChecksIT {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Undertow> backends = new ArrayList<>();
    private EdgeServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdown(Duration.ofMillis(200));
        }
        backends.forEach(Undertow::stop);
    }

    /** A backend answering its name, and 503 on /health while {@code sick}. */
    private int backend(String name, AtomicBoolean sick) {
        Undertow backend = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1)
                .setHandler(exchange -> {
                    boolean health = exchange.getRequestPath().equals("/health");
                    exchange.setStatusCode(health && sick.get() ? 503 : 200);
                    exchange.getResponseSender().send(health ? "health" : name);
                }).build();
        backend.start();
        backends.add(backend);
        return ((InetSocketAddress) backend.getListenerInfo().get(0).getAddress()).getPort();
    }

    private String get() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/x")).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 10 s: " + what);
            Thread.sleep(10);
        }
    }

    private static boolean is(EndpointGroup group, int port, EndpointState.Status status) {
        return group.snapshot().all().stream()
                .anyMatch(s -> s.endpoint().port() == port && s.status() == status);
    }

    @Test
    void anEndpointWhoseHealthCheckFailsGetsNoTrafficUntilItPassesAgain() throws Exception {
        AtomicBoolean sick = new AtomicBoolean();
        int a = backend("a", sick);
        int b = backend("b", new AtomicBoolean());
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", a).endpoint("127.0.0.1", b)
                .healthChecker(HealthChecks.http("/health").interval(Duration.ofMillis(500))
                        .timeout(Duration.ofMillis(400)).rise(2).fall(2).build())
                .build();
        Edge edge = Edge.builder().route(Route.named("r").path("/**").to(upstream).build()).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
        EndpointGroup group = edge.endpointGroup("u").orElseThrow();
        sick.set(true);
        await("a ejected", () -> is(group, a, EndpointState.Status.EJECTED));
        for (int i = 0; i < 6; i++) {
            assertEquals("200 b", get());
        }
        sick.set(false);
        await("a restored", () -> is(group, a, EndpointState.Status.STARTING));
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(get());
        }
        assertTrue(answers.contains("200 a"), answers.toString());
    }

    @Test
    void aBackendStoppedHardIsEjectedByTheActiveCheckAndTheClientsSeeNoFailureAfterwards() throws Exception {
        int a = backend("a", new AtomicBoolean());
        int b = backend("b", new AtomicBoolean());
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", a).endpoint("127.0.0.1", b)
                .healthChecker(HealthChecks.http("/health").interval(Duration.ofMillis(500))
                        .timeout(Duration.ofMillis(400)).fall(1).build())
                .admission(HealthChecks.outlierDetection().consecutiveFailures(1).build())
                .build();
        Edge edge = Edge.builder().route(Route.named("r").path("/**").to(upstream).build()).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
        EndpointGroup group = edge.endpointGroup("u").orElseThrow();
        for (int i = 0; i < 4; i++) {
            String answer = get();
            assertTrue(answer.startsWith("200"), answer);
        }
        backends.get(0).stop(); // a goes away, with pooled connections to it at the edge
        await("a ejected", () -> is(group, a, EndpointState.Status.EJECTED));
        for (int i = 0; i < 10; i++) {
            assertEquals("200 b", get());
        }
    }
}
