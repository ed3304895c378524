package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.EndpointGroup;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Draining with a deadline over real connections: new requests go elsewhere at once, requests in flight
 * finish if they can before the deadline, and then the endpoint leaves and its connections close.
 */
@Timeout(30)
class DrainIT extends EdgeServerFixture {
    @RegisterExtension
    final Backends backends = new Backends();

    private CompletableFuture<HttpResponse<String>> get(String path) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRequestInFlightPastTheDeadlineFailsAndTheEndpointsConnectionsClose() throws Exception {
        TestBackend slow = backends.start("slow", exchange -> {
            Thread.sleep(exchange.getRequestPath().equals("/long") ? 3_000 : 0);
            exchange.getResponseSender().send("slow " + exchange.getRequestPath());
        });
        TestBackend other = backends.echo("other");
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", slow.port()).endpoint("127.0.0.1", other.port())
                .retryRule(io.edgekit.core.RetryRule.onConnectFailure()).build();
        Edge edge = Edge.builder().route(Route.named("r").path("/**").to(upstream).build()).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(1).build().start();
        CompletableFuture<HttpResponse<String>> longOne = get("/long"); // round robin: to slow
        Await.until("the long request at the slow backend", () -> slow.requests.get() == 1);
        EndpointGroup group = edge.endpointGroup("u").orElseThrow();
        group.drain("127.0.0.1:" + slow.port(), Duration.ofMillis(300));
        for (int i = 0; i < 4; i++) {
            assertEquals("other /n" + i, get("/n" + i).join().body()); // nothing new goes to the drained one
        }
        assertEquals(502, longOne.join().statusCode()); // cut at the deadline, well before its 3 s
        assertEquals(1, group.snapshot().all().size());
        Await.until("only the other endpoint's connection left", () -> server.openUpstreamConnections() == 1);
    }

    @Test
    void aRequestThatFinishesBeforeTheDeadlineIsAnswered() throws Exception {
        TestBackend slow = backends.start("slow", exchange -> {
            Thread.sleep(200);
            exchange.getResponseSender().send("slow " + exchange.getRequestPath());
        });
        TestBackend other = backends.echo("other");
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", slow.port()).endpoint("127.0.0.1", other.port())
                .build();
        Edge edge = Edge.builder().route(Route.named("r").path("/**").to(upstream).build()).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(1).build().start();
        CompletableFuture<HttpResponse<String>> first = get("/first");
        Await.until("the request at the slow backend", () -> slow.requests.get() == 1);
        edge.endpointGroup("u").orElseThrow().drain("127.0.0.1:" + slow.port(), Duration.ofSeconds(2));
        HttpResponse<String> answered = first.join();
        assertEquals(200, answered.statusCode());
        assertEquals("slow /first", answered.body());
        assertTrue(edge.endpointGroup("u").orElseThrow().snapshot().all().size() == 2, "still draining");
    }
}
