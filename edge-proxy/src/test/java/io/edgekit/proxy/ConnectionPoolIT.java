package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Upstream connection pools are bounded, reuse connections, and close idle ones after keep-alive. */
@Timeout(30)
class ConnectionPoolIT {
    private final HttpClient client = HttpClient.newHttpClient();

    private static void awaitValue(int expected, IntSupplier actual) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (actual.getAsInt() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, actual.getAsInt());
    }

    @Test
    void idleConnectionsCloseAfterKeepAlive() throws Exception {
        try (TestBackend backend = TestBackend.echo("b")) {
            Edge edge = Edge.builder().route(Route.named("r").path("/**").to(Upstream.named("u")
                    .endpoint("127.0.0.1", backend.port()).keepAlive(Duration.ofMillis(300)).build()).build()).build();
            EdgeServer server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(1).build().start();
            try {
                for (int i = 0; i < 5; i++) {
                    assertEquals(200, client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + server.port() + "/x")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
                }
                assertEquals(1, server.openUpstreamConnections(), "sequential requests share one connection");
                awaitValue(0, server::openUpstreamConnections);
            } finally {
                server.shutdown(Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void poolBoundAnswers503BeyondConnectionsAndWaiters() throws Exception {
        try (TestBackend slow = TestBackend.start("slow", exchange -> {
            Thread.sleep(800);
            exchange.getResponseSender().send("slow");
        })) {
            Edge edge = Edge.builder().route(Route.named("r").path("/**").to(Upstream.named("u")
                    .endpoint("127.0.0.1", slow.port()).maxConnectionsPerIoThread(2).maxPendingPerIoThread(1)
                    .build()).build()).build();
            EdgeServer server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(1).build().start();
            try {
                List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + server.port() + "/x" + i)).build(), HttpResponse.BodyHandlers.ofString()));
                }
                int ok = 0;
                int unavailable = 0;
                for (CompletableFuture<HttpResponse<String>> response : responses) {
                    int status = response.join().statusCode();
                    if (status == 200) {
                        ok++;
                    } else if (status == 503) {
                        unavailable++;
                        // the pool's bound is circuit breaking: refused at once, with Retry-After
                        assertTrue(response.join().body().contains("is at its limit of requests"),
                                response.join().body());
                        assertEquals("1", response.join().headers().firstValue("retry-after").orElse(null));
                    }
                }
                assertEquals(3, ok, "2 connections + 1 waiter");
                assertEquals(3, unavailable);
                assertTrue(server.openUpstreamConnections() <= 2);
            } finally {
                server.shutdown(Duration.ofSeconds(1));
            }
        }
    }

    /**
     * The upstream answers one request per connection and closes it when a second arrives, unanswered: the
     * race of a keep-alive connection closed as it is reused. Idempotent requests go out again on another
     * connection; a POST does not (the upstream might have acted on it) and gets a 502.
     */
    @Test
    void requestOnAKeptAliveConnectionTheUpstreamClosedIsRetriedWhenIdempotent() throws Exception {
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        try (FaultyBackend backend = new FaultyBackend((socket, head) -> {
            java.io.OutputStream out = socket.getOutputStream();
            String body = head.startsWith("POST") ? "posted" : "ok";
            answered.incrementAndGet(); // before the answer leaves: the client may check the count as soon as it has it
            out.write(("HTTP/1.1 200 OK\r\ncontent-length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            RawHttp.readHead(socket.getInputStream()); // the next request on this connection ...
            socket.close(); // ... is never answered
        })) {
            Edge edge = Edge.builder().route(Route.named("r").path("/**").to(Upstream.named("u")
                    .endpoint("127.0.0.1", backend.port()).build()).build()).build();
            EdgeServer server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(1).build().start();
            try {
                URI uri = URI.create("http://127.0.0.1:" + server.port() + "/x");
                for (String method : new String[] {"GET", "PUT", "DELETE", "GET"}) {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri)
                            .method(method, HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, response.statusCode(), method);
                    assertEquals("ok", response.body());
                }
                assertEquals(4, answered.get());
                HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri)
                        .POST(HttpRequest.BodyPublishers.ofString("once")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(502, post.statusCode(), "a POST is not sent twice");
                assertEquals("application/problem+json", post.headers().firstValue("content-type").orElse(""));
                assertEquals(4, answered.get());
            } finally {
                server.shutdown(Duration.ofSeconds(1));
            }
            Edge strict = Edge.builder().route(Route.named("r").path("/**").to(Upstream.named("u")
                    .endpoint("127.0.0.1", backend.port()).resendOnClosedConnection(false).build()).build()).build();
            server = EdgeServer.builder(strict).listen("127.0.0.1", 0).ioThreads(1).build().start();
            try {
                URI uri = URI.create("http://127.0.0.1:" + server.port() + "/x");
                assertEquals(200, client.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
                assertEquals(502, client.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode(), "not sent again when told not to");
                assertEquals(5, answered.get());
            } finally {
                server.shutdown(Duration.ofSeconds(1));
            }
        }
    }
}
