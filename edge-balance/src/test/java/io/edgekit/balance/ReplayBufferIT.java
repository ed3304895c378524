package io.edgekit.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.proxy.EdgeServer;
import io.undertow.Undertow;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The replay buffer over real connections: a POST whose first endpoint reads the body and drops the
 * connection is sent again, whole, to the other endpoint when its body fits the buffer.
 */
@Timeout(30)
class ReplayBufferIT {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ServerSocket dropping;
    private Undertow echo;
    private EdgeServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.shutdown(Duration.ofMillis(200));
        }
        if (echo != null) {
            echo.stop();
        }
        if (dropping != null) {
            dropping.close();
        }
    }

    /** Reads each request's head and body, then closes the connection without an answer. */
    private int droppingBackend() throws IOException {
        dropping = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!dropping.isClosed()) {
                try (Socket socket = dropping.accept()) {
                    InputStream in = socket.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        int c = in.read();
                        if (c < 0) {
                            break;
                        }
                        head.append((char) c);
                    }
                    String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
                    int at = lower.indexOf("content-length:");
                    if (at >= 0) {
                        int end = lower.indexOf("\r\n", at);
                        in.readNBytes(Integer.parseInt(lower.substring(at + 15, end).trim()));
                    }
                } catch (IOException e) {
                    // closed
                }
            }
        }, "dropping-backend");
        acceptor.setDaemon(true);
        acceptor.start();
        return dropping.getLocalPort();
    }

    private int echoBackend() {
        echo = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1).setWorkerThreads(4)
                .setHandler(exchange -> {
                    if (exchange.isInIoThread()) {
                        exchange.dispatch(ex -> {
                            ex.startBlocking();
                            byte[] body = ex.getInputStream().readAllBytes();
                            ex.getResponseSender().send("echo " + new String(body, StandardCharsets.UTF_8));
                        });
                    }
                }).build();
        echo.start();
        return ((InetSocketAddress) echo.getListenerInfo().get(0).getAddress()).getPort();
    }

    private Edge edge;

    private HttpResponse<String> post(Upstream upstream, String body) throws Exception {
        edge = Edge.builder().route(Route.named("r").path("/**").to(upstream).build()).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/orders"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPostThatFitsTheBufferIsSentAgainWhole() throws Exception {
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", droppingBackend())
                .endpoint("127.0.0.1", echoBackend()).replayBuffer(64 * 1024)
                .retryRule(Retries.rule().anyMethod(true).backoff(Duration.ZERO, Duration.ZERO).build()).build();
        String body = "x".repeat(10_000);
        HttpResponse<String> response = post(upstream, body);
        assertEquals(200, response.statusCode());
        assertEquals("echo " + body, response.body());
    }

    @Test
    void withoutTheBufferAStreamedPostIsNotSentTwice() throws Exception {
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", droppingBackend())
                .endpoint("127.0.0.1", echoBackend())
                .retryRule(Retries.rule().anyMethod(true).backoff(Duration.ZERO, Duration.ZERO).build()).build();
        assertEquals(502, post(upstream, "x".repeat(10_000)).statusCode());
    }

    @Test
    void aBodyLargerThanTheBufferStreamsIsNotSentTwiceAndIsCounted() throws Exception {
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", droppingBackend())
                .endpoint("127.0.0.1", echoBackend()).replayBuffer(1_000)
                .retryRule(Retries.rule().anyMethod(true).backoff(Duration.ZERO, Duration.ZERO).build()).build();
        assertEquals(502, post(upstream, "x".repeat(10_000)).statusCode());
        assertEquals(1, edge.endpointGroup("u").orElseThrow().bodiesTooLargeToReplay());
    }
}
