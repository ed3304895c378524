package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Body;
import io.edgekit.core.Edge;
import io.edgekit.core.Headers;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Upstream bodies in gzip or deflate are decoded for clients that cannot decode them. */
@Timeout(30)
class DecompressionIT {
    static final String TEXT = "plain text for a client without gzip. ".repeat(3000);
    static TestBackend backend;
    static EdgeServer server;

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static byte[] deflate(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    @BeforeAll
    static void start() throws Exception {
        byte[] gz = gzip(TEXT.getBytes(StandardCharsets.UTF_8));
        byte[] zl = deflate(TEXT.getBytes(StandardCharsets.UTF_8));
        byte[] bomb = gzip(new byte[64 * 1024 * 1024]);
        backend = TestBackend.start("encoded", exchange -> {
            boolean deflate = exchange.getRequestPath().endsWith("deflate");
            byte[] body = deflate ? zl : gz;
            exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "text/plain");
            exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_ENCODING, deflate ? "deflate" : "gzip");
            exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_LENGTH, body.length);
            exchange.getOutputStream().write(body);
        });
        Edge edge = Edge.builder()
                .filter(ProxyFilters.decompression(1024 * 1024))
                .route(Route.named("bomb").path("/bomb").to((ex, r) -> Response.of(200,
                        Headers.of("content-type", "text/plain", "content-encoding", "gzip"), Body.of(bomb)).completed())
                        .build())
                .route(Route.named("up").path("/**").to(Upstream.named("e").endpoint("127.0.0.1", backend.port())
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
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void streamedGzipAndDeflateAreDecodedForClientsThatCannotDecode() throws Exception {
        for (String path : new String[] {"/doc-gzip", "/doc-deflate"}) {
            HttpResponse<byte[]> response = get(path, null);
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("content-encoding").isEmpty(), path);
            assertArrayEquals(TEXT.getBytes(StandardCharsets.UTF_8), response.body(), path);
        }
        HttpResponse<byte[]> refused = get("/doc-gzip", "gzip;q=0, br");
        assertArrayEquals(TEXT.getBytes(StandardCharsets.UTF_8), refused.body());
    }

    @Test
    void clientsThatAcceptTheCodingGetItUntouched() throws Exception {
        HttpResponse<byte[]> response = get("/doc-gzip", "gzip");
        assertEquals("gzip", response.headers().firstValue("content-encoding").orElse(""));
        assertArrayEquals(gzip(TEXT.getBytes(StandardCharsets.UTF_8)), response.body());
    }

    @Test
    void aDecompressionBombInMemoryIs502() throws Exception {
        assertEquals(502, get("/bomb", null).statusCode());
    }
}
