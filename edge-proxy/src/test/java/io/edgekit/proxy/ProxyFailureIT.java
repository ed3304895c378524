package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Upstream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Upstreams that refuse, reset, stall or talk garbage: the client always gets an answer or a close. */
@Timeout(30)
class ProxyFailureIT extends EdgeServerFixture {
    private static final Timeouts FAST = new Timeouts(Duration.ofSeconds(2), Duration.ofMillis(400),
            Duration.ofMillis(400), Duration.ZERO);

    private EdgeServer edgeTo(Timeouts timeouts, int... ports) {
        Upstream.Builder upstream = Upstream.named("backend");
        for (int port : ports) {
            upstream.endpoint("127.0.0.1", port);
        }
        Edge edge = Edge.builder()
                .route(Route.named("r").path("/**").timeouts(timeouts).to(upstream.build()).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(2).build().start();
        return server;
    }

    private FaultyBackend faulty(FaultyBackend.Script script) throws IOException {
        FaultyBackend backend = new FaultyBackend(script);
        closeables.add(backend);
        return backend;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String detail) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("content-type").orElse(""));
        assertTrue(response.body().contains("\"detail\":\"" + detail + "\""), response.body());
        assertFalse(response.body().contains("127.0.0.1"), response.body());
    }

    @Test
    void refusedConnectionIs502WithoutTheAddress() throws Exception {
        edgeTo(FAST, RawHttp.closedPort());
        assertProblem(get("/x"), 502, "could not connect to upstream 'backend'");
    }

    @Test
    void refusedEndpointIsSkippedForTheNextOne() throws Exception {
        TestBackend alive = TestBackend.echo("alive");
        closeables.add(alive);
        edgeTo(FAST, RawHttp.closedPort(), alive.port());
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = get("/x");
            assertEquals(200, response.statusCode());
            assertEquals("alive /x", response.body());
        }
    }

    @Test
    void resetBeforeAnyResponseIs502() throws Exception {
        FaultyBackend backend = faulty((socket, head) -> FaultyBackend.reset(socket));
        edgeTo(FAST, backend.port());
        assertProblem(get("/x"), 502, "upstream 'backend' failed before completing its response");
    }

    @Test
    void garbageResponseIs502() throws Exception {
        FaultyBackend backend = faulty((socket, head) -> {
            socket.getOutputStream().write("SMTP ready\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            Thread.sleep(200);
            socket.close();
        });
        edgeTo(FAST, backend.port());
        assertEquals(502, get("/x").statusCode());
    }

    @Test
    void connectThatNeverCompletesIs504AfterTheConnectTimeout() throws Exception {
        // a listener whose accept queue is full drops further SYNs: connecting to it hangs
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    java.net.Socket filler = new java.net.Socket();
                    try {
                        filler.connect(full.getLocalSocketAddress(), 200);
                        fillers.add(filler);
                    } catch (java.net.SocketTimeoutException e) {
                        filler.close();
                        break; // the queue is full now
                    }
                }
                edgeTo(new Timeouts(Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofSeconds(5),
                        Duration.ZERO), full.getLocalPort());
                long start = System.nanoTime();
                assertProblem(get("/x"), 504, "upstream 'backend' did not answer in time");
                assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos());
            } finally {
                for (java.net.Socket filler : fillers) {
                    filler.close();
                }
            }
        }
    }

    @Test
    void oversizedResponseHeadersAre502() throws Exception {
        FaultyBackend backend = faulty((socket, head) -> {
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 200; i++) {
                out.write(("X-Filler-" + i + ": " + "f".repeat(1000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            out.write("\r\nok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(500);
            socket.close();
        });
        edgeTo(FAST, backend.port());
        assertProblem(get("/x"), 502, "upstream 'backend' failed before completing its response");
    }

    @Test
    void upstreamThatNeverAnswersIs504AfterTheResponseHeaderTimeout() throws Exception {
        FaultyBackend backend = faulty((socket, head) -> Thread.sleep(10_000));
        edgeTo(FAST, backend.port());
        assertProblem(get("/x"), 504, "upstream 'backend' did not answer in time");
    }

    @Test
    void totalTimeoutIs504() throws Exception {
        FaultyBackend backend = faulty((socket, head) -> Thread.sleep(10_000));
        edgeTo(new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(20), Duration.ofSeconds(20),
                Duration.ofMillis(300)), backend.port());
        assertProblem(get("/x"), 504, "the request did not complete within 300 ms");
    }

    @Test
    void resetMidBodyClosesTheClientConnectionAndTheEdgeKeepsServing() throws Exception {
        FaultyBackend backend = faulty((socket, head) -> {
            if (head.startsWith("GET /healthy")) {
                socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                Thread.sleep(500);
                socket.close();
                return;
            }
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1000]);
            out.flush();
            Thread.sleep(100);
            FaultyBackend.reset(socket);
        });
        edgeTo(FAST, backend.port());
        assertThrows(IOException.class, () -> get("/broken"));
        String raw = RawHttp.exchange(server.port(), "GET /broken HTTP/1.1\r\nHost: e\r\n\r\n");
        assertTrue(raw.startsWith("HTTP/1.1 200"), raw);
        assertTrue(raw.length() < 100000, "a truncated body, then a close");
        assertEquals("ok", get("/healthy").body());
    }

    @Test
    void stalledBodyIsCutByTheIdleTimeout() throws Exception {
        FaultyBackend backend = faulty((socket, head) -> {
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nhalf".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(10_000);
        });
        edgeTo(FAST, backend.port());
        long start = System.nanoTime();
        String raw = RawHttp.exchange(server.port(), "GET /stall HTTP/1.1\r\nHost: e\r\n\r\n");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(raw.startsWith("HTTP/1.1 200") && raw.endsWith("half"), raw);
        assertTrue(millis < 4000, "the edge closed the stalled response itself, after " + millis + " ms");
    }
}
