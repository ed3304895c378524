package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.undertow.util.Headers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cache over real sockets: origin shielding under a burst of concurrent misses. */
@Timeout(60)
class HttpCacheIT {
    static TestBackend origin;
    static EdgeServer server;

    @BeforeAll
    static void start() {
        origin = TestBackend.start("origin", exchange -> {
            if (exchange.getRequestPath().startsWith("/chunked")) {
                // no Content-Length: the body is chunked, its length unknown until the end
                exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "max-age=60");
                int size = exchange.getRequestPath().endsWith("big") ? 3 * 1024 * 1024 : 5000;
                byte[] block = new byte[1000];
                java.util.Arrays.fill(block, (byte) 'c');
                for (int sent = 0; sent < size; sent += block.length) {
                    exchange.getOutputStream().write(block, 0, Math.min(block.length, size - sent));
                    exchange.getOutputStream().flush();
                }
                return;
            }
            if (exchange.getRequestPath().equals("/digits")) {
                exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
                exchange.getResponseHeaders().put(io.undertow.util.HttpString.tryFromString("Surrogate-Control"),
                        "max-age=60");
                exchange.getResponseHeaders().put(io.undertow.util.HttpString.tryFromString("Seen-Capability"),
                        String.valueOf(exchange.getRequestHeaders().getFirst("Surrogate-Capability")));
                exchange.getResponseSender().send("0123456789");
                return;
            }
            Thread.sleep(300); // slow enough that every client arrives while the first miss is in flight
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "max-age=60");
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
            exchange.getResponseSender().send("expensive " + exchange.getRequestPath());
        });
        Edge edge = Edge.builder()
                .route(Route.named("cached").path("/**").filter(HttpCache.builder().build())
                        .to(Upstream.named("origin").endpoint("127.0.0.1", origin.port()).build()).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        origin.close();
    }

    @Test
    void chunkedResponsesAreStoredUpToTheObjectLimitAndStreamedBeyondIt() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        URI small = URI.create("http://127.0.0.1:" + server.port() + "/chunked-small");
        HttpResponse<String> first = client.send(HttpRequest.newBuilder(small).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(5000, first.body().length());
        assertEquals("edgekit; fwd=miss; stored", first.headers().firstValue("cache-status").orElse(""));
        HttpResponse<String> second = client.send(HttpRequest.newBuilder(small).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("edgekit; hit", second.headers().firstValue("cache-status").orElse(""));
        assertEquals(first.body(), second.body());

        URI big = URI.create("http://127.0.0.1:" + server.port() + "/chunked-big");
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(big).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(3 * 1024 * 1024, response.body().length, "every byte arrives, though not stored");
            assertEquals("edgekit; fwd=miss; detail=too-large", response.headers().firstValue("cache-status").orElse(""));
        }
    }

    @Test
    void hundredConcurrentMissesMakeOneUpstreamRequest() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/report")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        int stored = 0;
        int collapsed = 0;
        for (CompletableFuture<HttpResponse<String>> future : responses) {
            HttpResponse<String> response = future.join();
            assertEquals(200, response.statusCode());
            assertEquals("expensive /report", response.body());
            String status = response.headers().firstValue("cache-status").orElse("");
            stored += status.contains("stored") ? 1 : 0;
            collapsed += status.contains("collapsed") || status.endsWith("; hit") ? 1 : 0;
        }
        assertEquals(1, origin.seen.stream().filter(s -> s.uri().equals("/report")).count(),
                "the origin saw one request");
        assertEquals(1, stored);
        assertEquals(99, collapsed);
        HttpResponse<String> later = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/report")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("edgekit; hit", later.headers().firstValue("cache-status").orElse(""));
        assertTrue(later.headers().firstValue("age").isPresent());
        assertEquals(1, origin.seen.stream().filter(s -> s.uri().equals("/report")).count());
    }

    @Test
    void surrogateControlStoresAndRangesAreCutFromTheStoredResponse() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        URI digits = URI.create("http://127.0.0.1:" + server.port() + "/digits");
        HttpResponse<String> first = client.send(HttpRequest.newBuilder(digits).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("edgekit; fwd=miss; stored", first.headers().firstValue("cache-status").orElse(""));
        assertEquals("edgekit=\"Surrogate/1.0\"", first.headers().firstValue("seen-capability").orElse(""));
        assertEquals(java.util.Optional.empty(), first.headers().firstValue("surrogate-control"));
        assertEquals("no-store", first.headers().firstValue("cache-control").orElse(""));
        HttpResponse<String> part = client.send(HttpRequest.newBuilder(digits).header("Range", "bytes=3-5").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(206, part.statusCode());
        assertEquals("345", part.body());
        assertEquals("bytes 3-5/10", part.headers().firstValue("content-range").orElse(""));
        assertEquals("edgekit; hit", part.headers().firstValue("cache-status").orElse(""));
        assertEquals(1, origin.seen.stream().filter(s -> s.uri().equals("/digits")).count());
    }
}
