package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Upstream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edge's own HTTP/1.1 client against raw-socket upstreams that frame responses every way RFC 9112
 * allows (and some it does not): heads in pieces, chunks with extensions and trailers, interim
 * responses, bodies ended by close, bytes after a body, idle connections closed by the upstream.
 */
@Timeout(30)
class Http1UpstreamIT extends EdgeServerFixture {
    private static final Timeouts FAST = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ZERO);

    /** Every request head the upstream read, in order. */
    private final List<String> heads = new CopyOnWriteArrayList<>();

    private void edgeTo(FaultyBackend backend, Upstream.Builder upstream, io.edgekit.core.Filter... filters) {
        Route.Builder route = Route.named("r").path("/**").timeouts(FAST);
        for (io.edgekit.core.Filter filter : filters) {
            route.filter(filter);
        }
        Edge edge = Edge.builder()
                .route(route.to(upstream.endpoint("127.0.0.1", backend.port()).build()).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(1).build().start();
    }

    private void edgeTo(FaultyBackend backend) {
        edgeTo(backend, Upstream.named("backend"));
    }

    /** An upstream answering each request on a connection with what {@code answer} writes; null closes it. */
    private FaultyBackend upstream(Function<String, byte[]> answer) throws IOException {
        FaultyBackend backend = new FaultyBackend((socket, head) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (!head.isEmpty()) {
                heads.add(head);
                byte[] response = answer.apply(head);
                if (response == null) {
                    break;
                }
                out.write(response);
                out.flush();
                head = RawHttp.readHead(in);
            }
            socket.close();
        });
        closeables.add(backend);
        return backend;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void headAndChunksArrivingByteByByteAreReassembledAndTheConnectionIsReused() throws Exception {
        String response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Checksum: abc\r\n\r\n";
        FaultyBackend backend = new FaultyBackend((socket, head) -> {
            InputStream in = socket.getInputStream();
            while (!head.isEmpty()) {
                heads.add(head);
                for (byte b : ascii(response)) {
                    socket.getOutputStream().write(b);
                    socket.getOutputStream().flush();
                }
                head = RawHttp.readHead(in);
            }
            socket.close();
        });
        closeables.add(backend);
        edgeTo(backend);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> answer = get("/pieces");
            assertEquals(200, answer.statusCode());
            assertEquals("hello world", answer.body());
            assertEquals("text/plain", answer.headers().firstValue("content-type").orElse(""));
        }
        assertEquals(3, heads.size());
        assertEquals(1, backend.connections(), "trailers read to the end: the connection goes on");
    }

    @Test
    void interimResponsesArePassedOverForTheFinalOne() throws Exception {
        FaultyBackend backend = upstream(head -> ascii("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        edgeTo(backend);
        HttpResponse<String> answer = get("/early");
        assertEquals(200, answer.statusCode());
        assertEquals("ok", answer.body());
        assertEquals("ok", get("/again").body());
        assertEquals(1, backend.connections());
    }

    @Test
    void aBodyWithoutLengthEndsWithTheConnection() throws Exception {
        FaultyBackend closing = new FaultyBackend((socket, head) -> {
            heads.add(head);
            socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"));
            socket.getOutputStream().write(ascii("until the end"));
            socket.getOutputStream().flush();
            Thread.sleep(100);
            socket.getOutputStream().write(ascii(" of the connection"));
            socket.close();
        });
        closeables.add(closing);
        edgeTo(closing);
        assertEquals("until the end of the connection", get("/a").body());
        assertEquals("until the end of the connection", get("/b").body());
        assertEquals(2, closing.connections());
    }

    @Test
    void connectionCloseAndHttp10AreHonoured() throws Exception {
        FaultyBackend backend = upstream(head -> head.contains("/close")
                ? ascii("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nclose")
                : ascii("HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nhttp"));
        edgeTo(backend);
        assertEquals("close", get("/close").body());
        assertEquals("http", get("/old").body());
        assertEquals("close", get("/close").body());
        assertEquals(3, backend.connections(), "neither answer leaves a connection to reuse");
        assertEquals(3, heads.size());
    }

    @Test
    void http10WithKeepAliveIsReused() throws Exception {
        FaultyBackend backend = upstream(head ->
                ascii("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 4\r\n\r\nkept"));
        edgeTo(backend);
        assertEquals("kept", get("/1").body());
        assertEquals("kept", get("/2").body());
        assertEquals(1, backend.connections());
    }

    @Test
    void bytesAfterTheBodyAreNeverTakenForTheNextResponse() throws Exception {
        FaultyBackend backend = upstream(head -> ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"));
        edgeTo(backend);
        assertEquals("ok", get("/1").body());
        assertEquals("ok", get("/2").body());
        assertEquals(2, backend.connections(), "a connection with bytes nobody asked for is closed");
    }

    @Test
    void bodilessAnswersLeaveTheConnectionReusable() throws Exception {
        FaultyBackend backend = upstream(head -> {
            if (head.startsWith("HEAD")) {
                return ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
            }
            if (head.contains("/nothing")) {
                return ascii("HTTP/1.1 204 No Content\r\n\r\n");
            }
            if (head.contains("/same")) {
                return ascii("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 10\r\n\r\n");
            }
            return ascii("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nget");
        });
        edgeTo(backend);
        HttpResponse<String> head = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/h")).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("100", head.headers().firstValue("content-length").orElse(""));
        assertEquals(204, get("/nothing").statusCode());
        assertEquals(304, get("/same").statusCode());
        assertEquals("get", get("/g").body());
        assertEquals(1, backend.connections());
    }

    @Test
    void aHeadLargerThanTheReadBufferIsReadWithinTheBound() throws Exception {
        String big = "x".repeat(6000);
        FaultyBackend backend = upstream(head -> ascii("HTTP/1.1 200 OK\r\nX-A: " + big + "\r\nX-B: " + big
                + "\r\nX-C: " + big + "\r\nContent-Length: 3\r\n\r\nbig"));
        edgeTo(backend);
        HttpResponse<String> answer = get("/big");
        assertEquals(200, answer.statusCode());
        assertEquals(big, answer.headers().firstValue("x-c").orElse(""));
        assertEquals("big", answer.body());
        assertEquals("big", get("/again").body());
        assertEquals(1, backend.connections());
    }

    @Test
    void aHeadOverTheBoundIs502() throws Exception {
        FaultyBackend backend = upstream(head -> ascii("HTTP/1.1 200 OK\r\nX-A: " + "x".repeat(3000)
                + "\r\nContent-Length: 2\r\n\r\nok"));
        edgeTo(backend, Upstream.named("backend").maxResponseHeaderBytes(2048));
        HttpResponse<String> answer = get("/big");
        assertEquals(502, answer.statusCode());
        assertEquals("application/problem+json", answer.headers().firstValue("content-type").orElse(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nFolded: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nSpace : x\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nA: b\rc\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nok\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
    })
    void malformedOrTruncatedResponsesNeverReachTheClientAsComplete(String response) throws Exception {
        FaultyBackend backend = new FaultyBackend((socket, head) -> {
            heads.add(head);
            socket.getOutputStream().write(ascii(response));
            socket.getOutputStream().flush();
            Thread.sleep(100);
            socket.close();
        });
        closeables.add(backend);
        edgeTo(backend, Upstream.named("backend").resendOnClosedConnection(false));
        int status;
        String body;
        try {
            HttpResponse<String> answer = get("/bad");
            status = answer.statusCode();
            body = answer.body();
        } catch (IOException e) {
            return; // the head had gone out: the edge closed the client connection mid-body, as it must
        }
        assertEquals(502, status, body);
        assertTrue(body.contains("\"status\":502"), body);
        assertEquals(1, heads.size(), "nothing was sent twice");
    }

    @Test
    void anIdleConnectionTheUpstreamClosesIsDroppedAtOnce() throws Exception {
        FaultyBackend closesWhenIdle = new FaultyBackend((socket, head) -> {
            heads.add(head);
            socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            socket.getOutputStream().flush();
            Thread.sleep(50);
            socket.close(); // as a server with a short keep-alive does
        });
        closeables.add(closesWhenIdle);
        // no resending: a request written to the closed connection would come back as a 502
        edgeTo(closesWhenIdle, Upstream.named("backend").resendOnClosedConnection(false));
        for (int i = 0; i < 3; i++) {
            assertEquals("ok", get("/" + i).body());
            Thread.sleep(300);
        }
        assertEquals(3, closesWhenIdle.connections());
        assertEquals(3, heads.size());
    }

    @Test
    void aBodyOfUnknownLengthGoesUpstreamInChunks() throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        List<String> raw = new CopyOnWriteArrayList<>();
        FaultyBackend backend = new FaultyBackend((socket, head) -> {
            heads.add(head);
            Thread.sleep(300); // the edge's writes fill the socket first: chunks are written in parts
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            StringBuilder wire = new StringBuilder();
            while (true) {
                String sizeLine = line(in, wire);
                int size = Integer.parseInt(sizeLine, 16);
                if (size == 0) {
                    assertEquals("", line(in, wire), "no trailers, then the end");
                    break;
                }
                byte[] data = in.readNBytes(size);
                received.write(data);
                wire.append(size);
                assertEquals("", line(in, wire), "CRLF after the chunk data");
            }
            raw.add(wire.toString());
            socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone"));
            socket.close();
        });
        closeables.add(backend);
        edgeTo(backend);
        byte[] body = new byte[8 * 1024 * 1024 + 7];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i % 251);
        }
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("done", answer.body());
        assertTrue(heads.get(0).contains("Transfer-Encoding: chunked\r\n"), heads.get(0));
        assertFalse(heads.get(0).toLowerCase(java.util.Locale.ROOT).contains("content-length"), heads.get(0));
        assertTrue(java.util.Arrays.equals(body, received.toByteArray()), "the chunks carry the body as sent");
        assertEquals(1, raw.size());
    }

    /** One CRLF-ended line of a chunked body, CRLF removed (and checked), also appended to {@code wire}. */
    private static String line(InputStream in, StringBuilder wire) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("ended inside a line");
            }
            line.append((char) c);
        }
        wire.append(line).append('\n');
        assertTrue(line.length() > 0 && line.charAt(line.length() - 1) == '\r', "CRLF: " + line);
        return line.substring(0, line.length() - 1);
    }

    @Test
    void aFilterSettingAFieldThatWouldSplitTheHeadGets500AndNothingGoesUpstream() throws Exception {
        FaultyBackend backend = upstream(head -> ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        edgeTo(backend, Upstream.named("backend"),
                (exchange, request, next) -> next.proceed(request.withHeader("X-Injected", "a\r\nX-Smuggled: 1")));
        HttpResponse<String> answer = get("/x");
        assertEquals(500, answer.statusCode());
        assertEquals("application/problem+json", answer.headers().firstValue("content-type").orElse(""));
        assertEquals(0, heads.size());
    }

    @Test
    void theRequestHeadCarriesTheEdgesHostAndFraming() throws Exception {
        FaultyBackend backend = new FaultyBackend((socket, head) -> {
            heads.add(head);
            byte[] body = socket.getInputStream().readNBytes(5);
            heads.add(new String(body, StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
            socket.getOutputStream().flush();
            Thread.sleep(100);
            socket.close();
        });
        closeables.add(backend);
        edgeTo(backend);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(ascii("POST /in?q=1 HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n"
                    + "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nX-Kept: yes\r\n\r\nhello"));
            socket.getOutputStream().flush();
            socket.setSoTimeout(5000);
            String answer = RawHttp.readHead(socket.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
        String head = heads.get(0);
        assertTrue(head.startsWith("POST /in?q=1 HTTP/1.1\r\nHost: example.test\r\n"), head);
        assertTrue(head.contains("\r\nX-Kept: yes\r\n"), head);
        assertTrue(head.contains("\r\nContent-Length: 5\r\n"), head);
        assertFalse(head.contains("X-Hop"), head);
        assertFalse(head.contains("Keep-Alive"), head);
        assertEquals("hello", heads.get(1));
    }

    @Test
    void aResponseThatStartedIsNeverSentAgainOnAnotherConnection() throws Exception {
        FaultyBackend backend = new FaultyBackend((socket, head) -> {
            heads.add(head);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            out.flush();
            String next = RawHttp.readHead(in);
            if (!next.isEmpty()) {
                heads.add(next);
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-")); // half a head, then gone
                out.flush();
                Thread.sleep(50);
            }
            socket.close();
        });
        closeables.add(backend);
        edgeTo(backend);
        assertEquals("ok", get("/1").body());
        assertEquals(502, get("/2").statusCode());
        assertEquals(2, heads.size(), "the upstream got the request: it is not sent again");
    }

    @Test
    void chunkedTrailersReachAClientThatAcceptsThem() throws Exception {
        FaultyBackend backend = upstream(head -> ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                + "Trailer: X-Checksum\r\n\r\n2\r\nok\r\n0\r\nX-Checksum: abc\r\n\r\n"));
        edgeTo(backend);
        String answer;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(ascii("GET /t HTTP/1.1\r\nHost: example.test\r\nTE: trailers\r\n\r\n"));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder read = new StringBuilder();
            while (!read.toString().contains("\r\n0\r\n") || !read.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                read.append((char) c);
            }
            answer = read.toString();
        }
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertTrue(answer.contains("\r\nok\r\n0\r\n"), answer);
        assertTrue(answer.contains("X-Checksum: abc\r\n"), answer);
    }

    @Test
    void anAttemptTheEdgeGivesUpOnClosesItsUpstreamConnection() throws Exception {
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        FaultyBackend backend = new FaultyBackend((socket, head) -> {
            heads.add(head);
            socket.setSoTimeout(10_000);
            if (socket.getInputStream().read() < 0) {
                closed.countDown(); // the edge closed the connection it no longer waits on
            }
        });
        closeables.add(backend);
        Edge edge = Edge.builder()
                .route(Route.named("r").path("/**").timeouts(new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(20),
                        Duration.ofSeconds(20), Duration.ofMillis(300)))
                        .to(Upstream.named("backend").endpoint("127.0.0.1", backend.port()).build()).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(1).build().start();
        assertEquals(504, get("/slow").statusCode());
        assertTrue(closed.await(5, java.util.concurrent.TimeUnit.SECONDS), "the upstream connection was closed");
    }

    @Test
    void aLargeChunkedResponseStreamsToAClientThatReadsLate() throws Exception {
        byte[] body = new byte[8 * 1024 * 1024 + 3];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i % 253);
        }
        FaultyBackend backend = upstream(head -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
            int at = 0;
            for (int size = 1; at < body.length; size = size * 7 % 40_000 + 1) { // uneven chunk sizes
                int n = Math.min(size, body.length - at);
                out.writeBytes(ascii(Integer.toHexString(n) + (n % 3 == 0 ? ";ext=1" : "") + "\r\n"));
                out.write(body, at, n);
                out.writeBytes(ascii("\r\n"));
                at += n;
            }
            out.writeBytes(ascii("0\r\n\r\n"));
            return out.toByteArray();
        });
        edgeTo(backend);
        for (int round = 0; round < 2; round++) {
            HttpResponse<InputStream> answer = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/large")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            Thread.sleep(300); // the edge meets a full client socket and must stop reading the upstream
            byte[] received;
            try (InputStream in = answer.body()) {
                received = in.readAllBytes();
            }
            assertEquals(200, answer.statusCode());
            assertTrue(java.util.Arrays.equals(body, received), "round " + round + ": the body as the upstream sent it");
        }
        assertEquals(1, backend.connections(), "read to its last chunk, the connection carries the next request");
    }

    @Test
    void bytesTheUpstreamSendsWithIts101ReachTheClientFirst() throws Exception {
        FaultyBackend backend = new FaultyBackend((socket, head) -> {
            heads.add(head);
            OutputStream out = socket.getOutputStream();
            // the head and the first bytes of the new protocol in one write
            out.write(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: x\r\n\r\nhello"));
            out.flush();
            InputStream in = socket.getInputStream();
            for (int c; (c = in.read()) >= 0;) {
                out.write(c); // then an echo
                out.flush();
            }
            socket.close();
        });
        closeables.add(backend);
        edgeTo(backend);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(ascii("GET /ws HTTP/1.1\r\nHost: example.test\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n"));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String head = RawHttp.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            assertEquals("hello", new String(in.readNBytes(5), StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(ascii("ping"));
            socket.getOutputStream().flush();
            assertEquals("ping", new String(in.readNBytes(4), StandardCharsets.ISO_8859_1));
        }
        assertTrue(heads.get(0).contains("\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"), heads.get(0));
    }

    @Test
    void requestHeadsLargerThanTheConnectionsHeadBufferGoOutWhole() throws Exception {
        FaultyBackend backend = upstream(head -> ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        edgeTo(backend);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/many"));
        for (int i = 0; i < 80; i++) { // about 17 KB, within the listener's 100 fields
            request.header("X-Field-" + i, "v".repeat(200) + i);
        }
        assertEquals("ok", client.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("ok", get("/small").body());
        assertEquals("ok", client.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(3, heads.size());
        for (int i = 0; i < 80; i++) {
            assertTrue(heads.get(0).contains("\r\nX-Field-" + i + ": " + "v".repeat(200) + i + "\r\n"), "field " + i);
        }
        assertTrue(heads.get(1).startsWith("GET /small HTTP/1.1\r\n"), heads.get(1));
        assertEquals(heads.get(0).replaceAll("x-request-id: \\w+", ""), heads.get(2).replaceAll("x-request-id: \\w+", ""),
                "the large head again after a small one on the same connection");
        assertEquals(1, backend.connections());
    }

    @Test
    void anUpstreamNamedByHostIsLookedUpOffTheIoThread() throws Exception {
        FaultyBackend backend = upstream(head -> ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        Edge edge = Edge.builder()
                .route(Route.named("r").path("/**").timeouts(FAST)
                        .to(Upstream.named("backend").endpoint("localhost", backend.port()).build()).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(1).build().start();
        assertEquals("ok", get("/named").body());
        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("edgekit-resolver-")),
                "the name was looked up on a resolver thread");
    }
}
