package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Upstream;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every I/O buffer the server lends goes back: after ordinary exchanges, large bodies both ways,
 * clients that leave halfway, upstreams that reset or stall, refused heads and 100-continue, the
 * buffers on loan come back to zero while the server runs (its idle keep-alive connections hold none).
 */
@Timeout(60)
class BufferLeakIT extends EdgeServerFixture {
    private static final byte[] BIG = new byte[4 * 1024 * 1024];

    @Test
    void everyBufferComesBackAfterGoodAndBadExchanges() throws Exception {
        TestBackend echo = TestBackend.echo("echo");
        closeables.add(echo);
        TestBackend big = TestBackend.start("big", exchange -> {
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, BIG.length);
            try (OutputStream out = exchange.getOutputStream()) {
                out.write(BIG);
            } catch (IOException e) {
                // the client left: what this test is about
            }
        });
        closeables.add(big);
        FaultyBackend halfThenReset = new FaultyBackend((socket, head) -> {
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[30_000]);
            out.flush();
            FaultyBackend.reset(socket);
        });
        closeables.add(halfThenReset);
        FaultyBackend silent = new FaultyBackend((socket, head) -> Thread.sleep(10_000));
        closeables.add(silent);
        Timeouts quick = new Timeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofMillis(300),
                Duration.ZERO);
        Edge edge = Edge.builder()
                .route(Route.named("echo").path("/echo/**").to(upstream(echo.port())).build())
                .route(Route.named("big").path("/big/**").to(upstream(big.port())).build())
                .route(Route.named("faulty").path("/faulty/**").to(upstream(halfThenReset.port())).build())
                .route(Route.named("silent").path("/silent/**").timeouts(quick).to(upstream(silent.port())).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(2).build().start();

        for (int i = 0; i < 100; i++) {
            assertEquals(200, get("/echo/" + i).statusCode());
        }
        byte[] upload = new byte[256 * 1024];
        for (int i = 0; i < 10; i++) {
            HttpResponse<byte[]> echoed = client.send(HttpRequest.newBuilder(uri("/echo/up"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(upload.length, echoed.body().length);
        }
        HttpResponse<byte[]> continued = client.send(HttpRequest.newBuilder(uri("/echo/continue")).expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(upload.length, continued.body().length);
        assertEquals(BIG.length, client.send(HttpRequest.newBuilder(uri("/big/all")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body().length);

        // a client that leaves in the middle of its request body, and one in the middle of the response body
        try (Socket socket = connect()) {
            socket.getOutputStream().write(("POST /echo/partial HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(new byte[100_000]);
            socket.getOutputStream().flush();
        }
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /big/partial HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            assertTrue(in.readNBytes(64 * 1024).length > 0);
        }
        // an upstream that resets halfway through its body, one that never answers, a head the edge refuses
        try {
            client.send(HttpRequest.newBuilder(uri("/faulty/x")).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            // the response had started: the client sees its connection close, as it should
        }
        assertEquals(504, get("/silent/x").statusCode());
        String refused = RawHttp.exchange(server.port(), "GET /echo/x HTTP/1.1\r\nHost: x\r\n folded: yes\r\n\r\n");
        assertTrue(refused.startsWith("HTTP/1.1 400"), refused);

        // connections the edge closed are released on their IO threads
        Await.until("every server buffer back with nothing in flight", java.time.Duration.ofSeconds(5),
                () -> server.buffersOnLoan() == 0);
    }

    private static Upstream upstream(int port) {
        return Upstream.named("u" + port).endpoint("127.0.0.1", port).build();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
        socket.setSoTimeout(5000);
        return socket;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
