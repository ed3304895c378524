package io.edgekit.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.EndpointState;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.proxy.EdgeServer;
import io.undertow.Undertow;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Backends that misbehave on purpose, over real loopback connections, against the role's building blocks:
 * one that hangs, one that answers 503 to everything, one that resets in the middle of its response.
 */
@Timeout(60)
class MisbehavingBackendsIT {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final AtomicInteger goodRequests = new AtomicInteger();
    private EdgeServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.shutdown(Duration.ofMillis(200));
        }
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    /** A raw backend: each connection's request head is read, then {@code script} does what it will. */
    private int raw(Script script) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
        closeables.add(() -> {
            listener.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        });
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    sockets.add(socket);
                    Thread serve = new Thread(() -> {
                        try {
                            InputStream in = socket.getInputStream();
                            StringBuilder head = new StringBuilder();
                            while (!head.toString().endsWith("\r\n\r\n")) {
                                int c = in.read();
                                if (c < 0) {
                                    return;
                                }
                                head.append((char) c);
                            }
                            script.run(socket);
                        } catch (Exception e) {
                            // the script's business
                        }
                    });
                    serve.setDaemon(true);
                    serve.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return listener.getLocalPort();
    }

    @FunctionalInterface
    interface Script {
        void run(Socket socket) throws Exception;
    }

    private int good() {
        Undertow backend = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1)
                .setHandler(exchange -> {
                    goodRequests.incrementAndGet();
                    exchange.getResponseSender().send("good");
                }).build();
        backend.start();
        closeables.add(backend::stop);
        return ((InetSocketAddress) backend.getListenerInfo().get(0).getAddress()).getPort();
    }

    private Edge start(Upstream upstream) {
        Edge edge = Edge.builder().route(Route.named("r").path("/**").to(upstream).build()).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
        return edge;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean ejected(Edge edge, int port) {
        return edge.endpointGroup("u").orElseThrow().snapshot().all().stream()
                .anyMatch(s -> s.endpoint().port() == port && s.status() == EndpointState.Status.EJECTED);
    }

    @Test
    void aBackendThatHangsIsTimedOutRetriedElsewhereAndEjected() throws Exception {
        int hanging = raw(socket -> Thread.sleep(30_000));
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", hanging).endpoint("127.0.0.1", good())
                .attemptTimeout(Duration.ofMillis(300))
                .admission(HealthChecks.outlierDetection().consecutiveFailures(2).build()).build();
        Edge edge = start(upstream);
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = get("/h" + i);
            assertEquals(200, response.statusCode());
            assertEquals("good", response.body());
        }
        assertTrue(ejected(edge, hanging), "the hanging endpoint is ejected after two timeouts");
    }

    @Test
    void aBackendAnswering503ToEverythingIsRetriedAroundAndEjected() throws Exception {
        int unavailable = raw(socket -> {
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        });
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", unavailable).endpoint("127.0.0.1", good())
                .retryRule(Retries.rule().onStatus(503).backoff(Duration.ZERO, Duration.ZERO).build())
                .admission(HealthChecks.outlierDetection().consecutiveFailures(3).build()).build();
        Edge edge = start(upstream);
        for (int i = 0; i < 8; i++) {
            assertEquals("good", get("/u" + i).body());
        }
        assertTrue(ejected(edge, unavailable));
    }

    @Test
    void aResponseResetMidBodyIsNeverSentAgain() throws Exception {
        int resetting = raw(socket -> {
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1000]);
            out.flush();
            socket.setSoLinger(true, 0);
            socket.close(); // a reset: the client already has part of the body
        });
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", resetting).endpoint("127.0.0.1", good())
                .retryRule(Retries.rule().onStatus(503).anyMethod(true).build()).build();
        start(upstream);
        assertThrows(IOException.class, () -> get("/first")); // truncated: the client sees it fail
        assertEquals(0, goodRequests.get(), "bytes had reached the client: no second attempt");
    }
}
