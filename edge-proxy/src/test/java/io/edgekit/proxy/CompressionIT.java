package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.undertow.util.Headers;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Compression over real sockets: streamed upstream bodies and in-process ones. */
@Timeout(30)
class CompressionIT {
    static final String TEXT = "Edgekit compresses text as it streams. ".repeat(2000);
    static TestBackend backend;
    static EdgeServer server;
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        backend = TestBackend.start("text", exchange -> {
            String path = exchange.getRequestPath();
            byte[] body = TEXT.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, path.endsWith(".png") ? "image/png"
                    : "text/plain; charset=utf-8");
            exchange.getResponseHeaders().put(Headers.ETAG, "\"v1\"");
            if (path.endsWith("/encoded")) {
                exchange.getResponseHeaders().put(Headers.CONTENT_ENCODING, "br");
            }
            if (path.endsWith("/partial")) {
                exchange.setStatusCode(206);
                exchange.getResponseHeaders().put(Headers.CONTENT_RANGE, "bytes 0-99/" + body.length);
                body = java.util.Arrays.copyOf(body, 100);
            }
            if (!path.endsWith("/chunked")) {
                exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
            }
            exchange.getOutputStream().write(body);
        });
        Edge edge = Edge.builder()
                .filter(ProxyFilters.compression())
                .route(Route.named("local").path("/local").to((ex, r) ->
                        Response.of(200, "application/json", "{\"text\":\"" + TEXT + "\"}").completed()).build())
                .route(Route.named("up").path("/**").to(Upstream.named("text").endpoint("127.0.0.1", backend.port())
                        .build()).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        backend.close();
    }

    private static HttpResponse<byte[]> get(String path, String acceptEncoding) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (acceptEncoding != null) {
            request.header("Accept-Encoding", acceptEncoding);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String gunzip(byte[] bytes) throws Exception {
        return new String(new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void streamedUpstreamBodyIsGzippedAsItStreams() throws Exception {
        for (String path : new String[] {"/doc.txt", "/doc/chunked"}) {
            HttpResponse<byte[]> response = get(path, "gzip, deflate");
            assertEquals(200, response.statusCode());
            assertEquals("gzip", response.headers().firstValue("content-encoding").orElse(""), path);
            assertEquals("Accept-Encoding", response.headers().firstValue("vary").orElse(""));
            assertEquals("W/\"v1\"", response.headers().firstValue("etag").orElse(""));
            assertTrue(response.body().length < TEXT.length() / 10, "compressed to " + response.body().length);
            assertEquals(TEXT, gunzip(response.body()), path);
        }
    }

    @Test
    void deflateWhenPreferred() throws Exception {
        HttpResponse<byte[]> response = get("/doc.txt", "deflate, gzip;q=0.5");
        assertEquals("deflate", response.headers().firstValue("content-encoding").orElse(""));
        assertEquals(TEXT, new String(new InflaterInputStream(new ByteArrayInputStream(response.body())).readAllBytes(),
                StandardCharsets.UTF_8));
    }

    @Test
    void inProcessBodyIsCompressedWithItsLength() throws Exception {
        HttpResponse<byte[]> response = get("/local", "gzip");
        assertEquals("gzip", response.headers().firstValue("content-encoding").orElse(""));
        assertEquals(String.valueOf(response.body().length), response.headers().firstValue("content-length").orElse(""));
        assertEquals("{\"text\":\"" + TEXT + "\"}", gunzip(response.body()));
    }

    @Test
    void leftAloneWhenNotAcceptedAlreadyEncodedPartialOrNotText() throws Exception {
        HttpResponse<byte[]> plain = get("/doc.txt", null);
        assertTrue(plain.headers().firstValue("content-encoding").isEmpty());
        assertEquals("Accept-Encoding", plain.headers().firstValue("vary").orElse(""));
        assertArrayEquals(TEXT.getBytes(StandardCharsets.UTF_8), plain.body());
        assertEquals("\"v1\"", plain.headers().firstValue("etag").orElse(""));

        assertEquals("br", get("/doc/encoded", "gzip").headers().firstValue("content-encoding").orElse(""));
        HttpResponse<byte[]> partial = get("/doc/partial", "gzip");
        assertEquals(206, partial.statusCode());
        assertTrue(partial.headers().firstValue("content-encoding").isEmpty());
        assertEquals(100, partial.body().length);
        assertTrue(get("/img.png", "gzip").headers().firstValue("content-encoding").isEmpty());
    }

    @Test
    void identityRefusedWithNothingElseIs406() throws Exception {
        HttpResponse<byte[]> response = get("/doc.txt", "br, identity;q=0");
        assertEquals(406, response.statusCode());
    }
}
