package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Listener limits: oversized request heads and slow clients are refused, never left hanging. */
@Timeout(30)
class ListenerLimitsIT {
    static EdgeServer server;

    @BeforeAll
    static void start() {
        Edge edge = Edge.builder().route(Route.named("r").path("/**").to((ex, r) -> Response.of(200).completed())
                .build()).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).maxHeaderBytes(4096)
                .headerReadTimeout(Duration.ofMillis(500)).idleTimeout(Duration.ofMillis(700)).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void requestHeadOverTheLimitIsRefused() throws Exception {
        String answer = RawHttp.exchange(server.port(), "GET / HTTP/1.1\r\nHost: e\r\nX-Big: " + "a".repeat(8000)
                + "\r\n\r\n");
        assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"), answer);
        String ok = RawHttp.exchange(server.port(), "GET / HTTP/1.1\r\nHost: e\r\nConnection: close\r\n\r\n");
        assertTrue(ok.startsWith("HTTP/1.1 200"), ok);
    }

    @Test
    void idleKeepAliveConnectionIsClosed() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: e\r\n\r\n".getBytes());
            long start = System.nanoTime();
            String answer = RawHttp.readAll(socket.getInputStream()); // returns when the edge closes
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(millis < 4000, "closed after " + millis + " ms idle");
        }
    }

    @Test
    void connectionsOverTheTotalGet503() throws Exception {
        EdgeServer small = EdgeServer.builder(Edge.builder().build()).listen("127.0.0.1", 0).maxConnections(2)
                .build().start();
        try (java.net.Socket a = new java.net.Socket("127.0.0.1", small.port());
                java.net.Socket b = new java.net.Socket("127.0.0.1", small.port())) {
            a.getOutputStream().write("GET / HTTP/1.1\r\nHost: e\r\n\r\n".getBytes());
            b.getOutputStream().write("GET / HTTP/1.1\r\nHost: e\r\n\r\n".getBytes());
            a.setSoTimeout(3000);
            b.setSoTimeout(3000);
            RawHttp.readHead(a.getInputStream()); // answered: both are surely counted, and stay open
            RawHttp.readHead(b.getInputStream());
            String answer = RawHttp.exchange(small.port(), "GET / HTTP/1.1\r\nHost: e\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
            assertTrue(answer.contains("too many connections"), answer);
        } finally {
            small.shutdown(Duration.ofMillis(200));
        }
    }

    @Test
    void http2PriorKnowledgeIsRefusedNotHung() throws Exception {
        // HTTP/2 is not served on this listener: the h2 preface gets a refusal and a close, so stream
        // floods and rapid resets have nothing to act on
        long start = System.nanoTime();
        String answer = RawHttp.exchange(server.port(), "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"), answer);
        assertTrue(millis < 4000, "closed after " + millis + " ms");
    }

    @Test
    void slowHeaderClientIsCutOff() throws Exception {
        long start = System.nanoTime();
        String answer = RawHttp.exchange(server.port(), "GET / HTTP/1.1\r\nHost: e\r\nX-Slow: ");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 4000, "closed after " + millis + " ms: " + answer);
    }
}
