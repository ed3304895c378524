package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.undertow.util.Headers;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Request and response buffering keep slow clients from holding upstream connections. */
@Timeout(30)
class BufferingIT {
    static final int BIG = 8 * 1024 * 1024;
    static TestBackend backend;
    static EdgeServer server;

    @BeforeAll
    static void start() {
        backend = TestBackend.start("buffered", exchange -> {
            if (exchange.getRequestPath().equals("/big")) {
                byte[] body = new byte[BIG];
                Arrays.fill(body, (byte) 'b');
                exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
                exchange.getOutputStream().write(body);
                return;
            }
            byte[] body = exchange.getInputStream().readAllBytes();
            exchange.getResponseSender().send("got " + body.length + " bytes, content-length="
                    + exchange.getRequestHeaders().getFirst(Headers.CONTENT_LENGTH));
        });
        Upstream upstream = Upstream.named("b").endpoint("127.0.0.1", backend.port()).maxConnectionsPerIoThread(1)
                .maxPendingPerIoThread(4).build();
        Edge edge = Edge.builder()
                .route(Route.named("upload").path("/upload").filter(ProxyFilters.bufferRequests(1024 * 1024,
                        Duration.ofSeconds(5))).to(upstream).build())
                .route(Route.named("download").path("/**").filter(ProxyFilters.bufferResponses(16L * 1024 * 1024))
                        .to(upstream).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(1).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        backend.close();
    }

    @Test
    void slowUploadIsReceivedWholeBeforeTheUpstreamSeesIt() throws Exception {
        int before = backend.requests.get();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("POST /upload HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(400); // the client pauses mid-upload
            assertEquals(before, backend.requests.get(), "nothing reached the upstream during the pause");
            out.write("6\r\n world\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = RawHttp.readAll(socket.getInputStream());
            assertTrue(answer.endsWith("got 11 bytes, content-length=11"), answer);
        }
    }

    @Test
    void uploadOverTheBoundIs413() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.port() + "/upload")).POST(HttpRequest.BodyPublishers.ofByteArray(
                new byte[2 * 1024 * 1024])).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode());
    }

    @Test
    void slowReaderDoesNotPinTheOnlyUpstreamConnection() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.setReceiveBufferSize(4096);
            slow.getOutputStream().write("GET /big HTTP/1.1\r\nHost: e\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            InputStream in = slow.getInputStream();
            in.readNBytes(100); // starts reading, then stalls with megabytes still to come
            HttpResponse<String> other = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + server.port() + "/other")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, other.statusCode(), other.body());
        }
    }
}
