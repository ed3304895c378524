package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Endpoint;
import io.edgekit.core.RetryRule;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.RecordingListener;
import io.undertow.util.Headers;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The attempt unit over real connections: a rule that retries a 503, and a hedge that wins. */
@Timeout(30)
class AttemptUnitIT extends EdgeServerFixture {
    @RegisterExtension
    final Backends backends = new Backends();
    private final RecordingListener events = new RecordingListener();

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void answer(io.undertow.server.HttpServerExchange exchange, int status, String text)
            throws java.io.IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        exchange.getOutputStream().write(body);
        exchange.getOutputStream().close();
    }

    @Test
    void aRuleThatRetries503SendsTheRequestToTheOtherEndpoint() throws Exception {
        TestBackend busy = backends.start("busy", ex -> answer(ex, 503, "busy, try elsewhere"));
        TestBackend fine = backends.echo("fine");
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", busy.port()).endpoint("127.0.0.1", fine.port())
                .retryRule(RetryRule.idempotent(Set.of(503))).build();
        server = EdgeServer.builder(Edge.builder().listener(events)
                .route(Route.named("r").path("/**").to(upstream).build()).build()).listen("127.0.0.1", 0).build().start();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = get("/x" + i);
            assertEquals(200, response.statusCode());
            assertEquals("fine /x" + i, response.body());
        }
        assertTrue(busy.requests.get() >= 2, "busy got " + busy.requests.get()); // first attempts went there too
        Await.until("4 completions", () -> events.completions().size() == 4);
        // the 503s were discarded unread: their connections closed, only the one to the fine endpoint is pooled
        Await.until("the busy endpoint's connections closed", () -> server.openUpstreamConnections() == 1);
        for (var completion : events.completions()) {
            assertEquals(Endpoint.of("127.0.0.1", fine.port()), completion.endpoint().get());
        }
    }

    @Test
    void aHedgeToAFastEndpointAnswersAndTheSlowAttemptIsAbandoned() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TestBackend slow = backends.start("slow", ex -> {
            release.await(10, TimeUnit.SECONDS);
            answer(ex, 200, "slow");
        });
        TestBackend fast = backends.echo("fast");
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", slow.port()).endpoint("127.0.0.1", fast.port())
                .hedging(Duration.ofMillis(100), 1).build();
        server = EdgeServer.builder(Edge.builder().listener(events)
                .route(Route.named("r").path("/**").to(upstream).build()).build()).listen("127.0.0.1", 0).build().start();
        HttpResponse<String> response = get("/h");
        assertEquals("fast /h", response.body());
        release.countDown();
        Await.until("the slow attempt ended", () -> events.last().stream()
                .anyMatch(e -> e.startsWith("attemptEnded FIRST") && e.endsWith("CANCELLED")));
        assertTrue(events.last().contains("attemptEnded HEDGE 127.0.0.1:" + fast.port() + " RESPONSE 200"),
                events.last().toString());
        Await.until("the abandoned connection closed", () -> server.openUpstreamConnections() == 1);
    }
}
