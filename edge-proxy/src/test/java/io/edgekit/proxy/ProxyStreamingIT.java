package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.undertow.util.Headers;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bodies stream through the edge in both directions, whatever their size and framing. */
@Timeout(60)
class ProxyStreamingIT {
    private static final long FIFTY_MIB = 50L * 1024 * 1024;

    static TestBackend backend;
    static EdgeServer server;
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        backend = TestBackend.start("stream", exchange -> {
            String path = exchange.getRequestPath();
            if (path.equals("/count")) {
                long n = TestBackend.drain(exchange.getInputStream());
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
                exchange.getOutputStream().write(Long.toString(n).getBytes());
            } else if (path.equals("/download")) {
                long size = Long.parseLong(exchange.getQueryParameters().get("size").getFirst());
                boolean chunked = exchange.getQueryParameters().containsKey("chunked");
                if (!chunked) {
                    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, size);
                }
                byte[] block = new byte[64 * 1024];
                Arrays.fill(block, (byte) 'x');
                OutputStream out = exchange.getOutputStream();
                for (long sent = 0; sent < size; sent += block.length) {
                    out.write(block, 0, (int) Math.min(block.length, size - sent));
                }
            } else {
                exchange.getOutputStream().write(exchange.getInputStream().readAllBytes());
            }
            exchange.getOutputStream().close();
        });
        Upstream upstream = Upstream.named("stream").endpoint("127.0.0.1", backend.port()).build();
        Edge edge = Edge.builder()
                .route(Route.named("big").path("/big/**").stripPrefix().maxRequestBodyBytes(100L * 1024 * 1024)
                        .to(upstream).build())
                .route(Route.named("small").path("/small/**").stripPrefix().maxRequestBodyBytes(1024)
                        .to(upstream).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(2).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        backend.close();
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** Bytes allocated so far by the edge's IO threads, where all forwarding happens. */
    private static long edgeIoAllocatedBytes() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("edgekit I/O")) {
                total += threads.getThreadAllocatedBytes(thread.getId());
            }
        }
        return total;
    }

    private static InputStream zeros(long size) {
        return new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? 0 : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                Arrays.fill(b, off, off + n, (byte) 0);
                left -= n;
                return n;
            }
        };
    }

    @Test
    void fiftyMebibyteUploadStreamsWithoutTheEdgeBufferingIt() throws Exception {
        long before = edgeIoAllocatedBytes();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/big/count"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> zeros(FIFTY_MIB)), FIFTY_MIB))
                .build(), HttpResponse.BodyHandlers.ofString());
        long allocated = edgeIoAllocatedBytes() - before;
        assertEquals(200, response.statusCode());
        assertEquals(Long.toString(FIFTY_MIB), response.body());
        assertTrue(allocated < FIFTY_MIB / 10, "edge IO threads allocated " + allocated + " bytes for 50 MiB");
    }

    @Test
    void fiftyMebibyteDownloadStreamsWithoutTheEdgeBufferingIt() throws Exception {
        long before = edgeIoAllocatedBytes();
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(
                uri("/big/download?size=" + FIFTY_MIB)).build(), HttpResponse.BodyHandlers.ofInputStream());
        long received = TestBackend.drain(response.body());
        long allocated = edgeIoAllocatedBytes() - before;
        assertEquals(200, response.statusCode());
        assertEquals(FIFTY_MIB, received);
        assertEquals(Long.toString(FIFTY_MIB), response.headers().firstValue("content-length").orElse(""));
        assertTrue(allocated < FIFTY_MIB / 10, "edge IO threads allocated " + allocated + " bytes for 50 MiB");
    }

    @Test
    void chunkedBothWays() throws Exception {
        long size = 3 * 1024 * 1024 + 17;
        HttpResponse<String> upload = client.send(HttpRequest.newBuilder(uri("/big/count"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> zeros(size))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(Long.toString(size), upload.body());
        assertEquals(backend.lastSeen().header("transfer-encoding"), "chunked");

        HttpResponse<InputStream> download = client.send(HttpRequest.newBuilder(
                uri("/big/download?chunked&size=" + size)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(size, TestBackend.drain(download.body()));
        assertTrue(download.headers().firstValue("content-length").isEmpty());
    }

    @Test
    void chunkedAnswerOverRawSocketIsWellFramed() throws Exception {
        String answer = RawHttp.exchange(server.port(), "POST /big/echo HTTP/1.1\r\nHost: e\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertTrue(answer.endsWith("hello world") || answer.contains("\r\n\r\nb\r\nhello world\r\n0\r\n\r\n"), answer);
    }

    @Test
    void expectContinueIsAnswered() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/big/echo"))
                .expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString("after continue")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("after continue", response.body());
    }

    @Test
    void declaredBodyOverTheLimitIs413WithoutReachingTheUpstream() throws Exception {
        int before = backend.requests.get();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/small/count"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[2048])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode());
        assertTrue(response.body().contains("\"detail\":\"request body exceeds 1024 bytes\""), response.body());
        assertEquals(before, backend.requests.get());
    }

    @Test
    void chunkedBodyOverTheLimitIs413() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/small/count"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> zeros(256 * 1024))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("content-type").orElse(""));
    }
}
