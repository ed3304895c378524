package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An upstream that sends 1,000 bytes of a chunked body and then resets: whatever the client's protocol
 * and connection options, the response it gets can be told from a complete one, and a cache keeps none
 * of it.
 */
@Timeout(60)
class TruncationIT {
    static FaultyBackend cutting;
    static EdgeServer server;

    /** Answers 200 with a chunked body, sends one chunk of 1,000 bytes, then resets the connection. */
    static void chunksThenReset(Socket socket, String head) throws Exception {
        String cache = head.contains("/cached") ? "Cache-Control: max-age=60\r\n" : "";
        socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + cache
                + "Transfer-Encoding: chunked\r\n\r\n3e8\r\n" + "x".repeat(1000) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        Thread.sleep(100); // the chunk goes out (and on to the client) before the reset
        FaultyBackend.reset(socket);
    }

    @BeforeAll
    static void start() throws Exception {
        cutting = new FaultyBackend(TruncationIT::chunksThenReset);
        Upstream upstream = Upstream.named("cutting").endpoint("127.0.0.1", cutting.port()).build();
        Edge edge = Edge.builder()
                .route(Route.named("cached").path("/cached").filter(HttpCache.builder().build()).to(upstream).build())
                .route(Route.named("cut").path("/**").to(upstream).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.shutdown(Duration.ofSeconds(1));
        cutting.close();
    }

    record Received(String text, boolean reset) {
        String head() {
            int end = text.indexOf("\r\n\r\n");
            return (end < 0 ? text : text.substring(0, end)).toLowerCase(Locale.ROOT);
        }

        String body() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? "" : text.substring(end + 4);
        }
    }

    /** Sends {@code request} and reads until the edge closes: a clean end of stream, or a reset. */
    static Received send(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) > 0;) {
                    out.write(buffer, 0, n);
                }
            } catch (SocketException e) {
                return new Received(out.toString(StandardCharsets.ISO_8859_1), true);
            }
            return new Received(out.toString(StandardCharsets.ISO_8859_1), false);
        }
    }

    @Test
    void anHttp11ClientThatAskedForACloseStillGetsChunksAndNoLastChunk() throws Exception {
        Received got = send("GET /cut HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n");
        assertTrue(got.head().startsWith("http/1.1 200"), got.text());
        assertTrue(got.head().contains("transfer-encoding: chunked"), got.head());
        assertFalse(got.head().contains("content-length"), got.head());
        assertTrue(got.body().matches("(?s)[0-9a-fA-F]+\r\nx+.*"), got.body());
        assertTrue(got.body().contains("x".repeat(1000)), got.body());
        assertFalse(got.body().endsWith("0\r\n\r\n"), "no last chunk: " + got.body().length() + " bytes");
    }

    @Test
    void aKeptAliveHttp11ClientGetsNoLastChunkAndAClose() throws Exception {
        Received got = send("GET /cut HTTP/1.1\r\nHost: edge\r\n\r\n");
        assertTrue(got.head().contains("transfer-encoding: chunked"), got.head());
        assertFalse(got.body().endsWith("0\r\n\r\n"), "no last chunk: " + got.body().length() + " bytes");
    }

    @Test
    void anHttp10ClientGetsAReset() throws Exception {
        Received got = send("GET /cut HTTP/1.0\r\nHost: edge\r\n\r\n");
        assertTrue(got.reset(), "a reset, not a clean close, after " + got.text().length() + " bytes");
        assertFalse(got.head().contains("transfer-encoding"), got.head());
    }

    @Test
    void aCacheKeepsNoneOfATruncatedBody() throws Exception {
        int before = cutting.connections();
        for (int i = 0; i < 2; i++) {
            Received got = send("GET /cached HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n");
            assertFalse(got.text().contains("0\r\n\r\n") && got.head().startsWith("http/1.1 200"), got.text());
            assertFalse(got.head().contains("cache-status: edgekit; hit"), got.head());
        }
        assertEquals(before + 2, cutting.connections(), "each request went to the upstream");
    }
}
