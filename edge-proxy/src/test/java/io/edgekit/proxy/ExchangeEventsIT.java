package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Completion;
import io.edgekit.core.Edge;
import io.edgekit.core.Endpoint;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.RecordingListener;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The exchange listener on a real listener: proxied exchanges, the edge's own answers and the refusals the
 * runtime makes before the engine (a head too large, a connection over the limit) each reach it exactly
 * once, with the bytes that crossed the wire.
 */
@Timeout(30)
class ExchangeEventsIT extends EdgeServerFixture {
    @RegisterExtension
    final Backends backends = new Backends();
    private final RecordingListener events = new RecordingListener();

    private EdgeServer start(TestBackend backend, int maxConnections) {
        Upstream upstream = Upstream.named("echo").endpoint("127.0.0.1", backend.port()).build();
        Edge edge = Edge.builder().listener(events).route(Route.named("echo").path("/echo/**").to(upstream).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).maxHeaderBytes(4096)
                .maxConnections(maxConnections).build().start();
        return server;
    }

    private void awaitCompletions(int n) {
        Await.until(n + " completions", () -> events.completions().size() >= n);
    }

    @Test
    void aProxiedExchangeIsToldFromHeadToCompletionWithItsBytes() throws Exception {
        TestBackend backend = backends.echo("a");
        start(backend, 100);
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/echo/x"))
                .POST(HttpRequest.BodyPublishers.ofString("0123456789")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        awaitCompletions(1);
        assertEquals(List.of("headReceived", "routed echo", "attemptStarted FIRST 127.0.0.1:" + backend.port(),
                "attemptEnded FIRST 127.0.0.1:" + backend.port() + " RESPONSE 200", "head 200", "completed 200"),
                events.last());
        Completion completion = events.completions().get(0);
        assertEquals(10, completion.bytesIn());
        assertEquals(10, completion.bytesOut());
        assertEquals(Endpoint.of("127.0.0.1", backend.port()), completion.endpoint().get());
        assertEquals("echo", completion.routeId().get());
        assertTrue(completion.error().isEmpty());
        assertTrue(completion.responseHeadNanos() >= completion.startNanos());
        assertTrue(completion.endNanos() >= completion.responseHeadNanos());
    }

    @Test
    void theEdgesOwnAnswersAndItsEarliestRefusalsReachTheListenerOnce() throws Exception {
        start(backends.echo("a"), 2);
        int port = server.port();
        String notFound = RawHttp.exchange(port, "GET /nowhere HTTP/1.1\r\nHost: e\r\nConnection: close\r\n\r\n");
        assertTrue(notFound.startsWith("HTTP/1.1 404"), notFound);
        String tooLarge = RawHttp.exchange(port, "GET /echo/x HTTP/1.1\r\nHost: e\r\nX-Big: " + "a".repeat(6000)
                + "\r\nConnection: close\r\n\r\n");
        assertTrue(tooLarge.startsWith("HTTP/1.1 431"), tooLarge);
        String folded = RawHttp.exchange(port, "GET /echo/x HTTP/1.1\r\nHost: e\r\nX-A: 1\r\n 2\r\n\r\n");
        assertTrue(folded.startsWith("HTTP/1.1 400"), folded);
        awaitCompletions(3);
        try (java.net.Socket a = new java.net.Socket("127.0.0.1", port);
                java.net.Socket b = new java.net.Socket("127.0.0.1", port)) {
            a.getOutputStream().write("GET /nowhere HTTP/1.1\r\nHost: e\r\n\r\n".getBytes());
            b.getOutputStream().write("GET /nowhere HTTP/1.1\r\nHost: e\r\n\r\n".getBytes());
            awaitCompletions(5); // both are open for sure once both were answered
            String third = RawHttp.exchange(port, "GET / HTTP/1.1\r\nHost: e\r\n\r\n");
            assertTrue(third.startsWith("HTTP/1.1 503"), third);
        }
        awaitCompletions(6);
        List<List<String>> all = events.exchanges();
        assertEquals(List.of("headReceived", "noRoute", "head 404", "completed 404"), all.get(0));
        assertEquals(List.of("headReceived", "noRoute", "head 431", "completed 431"), all.get(1));
        assertEquals(List.of("headReceived", "noRoute", "head 400", "completed 400"), all.get(2));
        assertEquals(List.of("headReceived", "noRoute", "head 503", "completed 503"), all.get(5));
        assertEquals(6, all.size());
        assertEquals(6, events.completions().size());
        assertTrue(events.completions().get(1).bytesOut() > 0, "the 431's problem body was counted");
    }

    @Test
    void aHeadUndertowsParserRefusesIsAnsweredAsAProblemAndReachesTheListener() throws Exception {
        start(backends.echo("a"), 100);
        for (String head : List.of("GET /echo/x HTTP/1.1\r\nHost: e\r\nX Foo: bar\r\n\r\n",
                "GET /echo/x HTTP/1.1\r\nHost: e\r\nX-Foo: a\u0000b\r\n\r\n")) {
            String answer = RawHttp.exchange(server.port(), head);
            assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
            assertTrue(answer.contains("Content-Type: application/problem+json"), answer);
            assertTrue(answer.contains("\"detail\":\"malformed request head: "), answer);
            assertEquals(1, answer.split("HTTP/1\\.1 ", -1).length - 1, "exactly one response: " + answer);
        }
        awaitCompletions(2);
        for (List<String> exchange : events.exchanges()) {
            assertEquals(List.of("headReceived", "noRoute", "head 400", "completed 400"), exchange);
        }
        assertTrue(events.completions().get(0).bytesOut() > 0);
    }

    @Test
    void theCompletionCarriesTheCacheStatusAndAHitHasNoEndpoint() throws Exception {
        TestBackend cacheable = backends.start("cacheable", ex -> {
            ex.getResponseHeaders().put(io.undertow.util.Headers.CACHE_CONTROL, "max-age=60");
            ex.getResponseSender().send("fresh");
        });
        Upstream upstream = Upstream.named("c").endpoint("127.0.0.1", cacheable.port()).build();
        Edge edge = Edge.builder().listener(events).route(Route.named("cached").path("/**")
                .filter(HttpCache.builder().build()).to(upstream).build()).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/page")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("fresh", response.body());
            awaitCompletions(i + 1);
        }
        Completion miss = events.completions().get(0);
        Completion hit = events.completions().get(1);
        assertTrue(miss.cacheStatus().get().contains("stored"), miss.toString());
        assertEquals(Endpoint.of("127.0.0.1", cacheable.port()), miss.endpoint().get());
        assertTrue(hit.cacheStatus().get().contains("hit"), hit.cacheStatus().get());
        assertTrue(hit.endpoint().isEmpty(), "the cache answered, no endpoint served");
        assertEquals(5, hit.bytesOut());
        assertEquals(1, cacheable.requests.get());
    }
}
