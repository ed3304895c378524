package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.RecordingListener;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The defaults when one of two endpoints dies with connections to it pooled at the edge: no client request
 * fails, and the attempts that met the dead endpoint are told to the listener.
 */
@Timeout(30)
class DeadEndpointIT extends EdgeServerFixture {
    @RegisterExtension
    final Backends backends = new Backends();

    private String get(String path) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    @Test
    void anEndpointStoppedHardWithPooledConnectionsFailsNoRequest() throws Exception {
        TestBackend a = backends.echo("a");
        TestBackend b = backends.echo("b");
        RecordingListener events = new RecordingListener();
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", a.port()).endpoint("127.0.0.1", b.port())
                .build();
        server = EdgeServer.builder(Edge.builder().listener(events)
                .route(Route.named("r").path("/**").to(upstream).build()).build())
                .listen("127.0.0.1", 0).ioThreads(1).build().start();
        for (int i = 0; i < 6; i++) { // connections to both are pooled now
            assertTrue(get("/warm" + i).startsWith("200"));
        }
        a.close(); // hard stop: its pooled connections at the edge are dead
        for (int i = 0; i < 6; i++) {
            assertEquals("200 b /after" + i, get("/after" + i));
        }
        Await.until("12 completions", () -> events.completions().size() == 12);
        List<String> failedAttempts = events.exchanges().stream().flatMap(List::stream)
                .filter(e -> e.startsWith("attemptEnded") && !e.endsWith("RESPONSE 200")).toList();
        assertTrue(!failedAttempts.isEmpty(), "the dead endpoint's attempts were told");
    }

    /**
     * A backend that dies the hard way: after {@link #die()} new connections are refused, and a connection it
     * had open takes the next request and closes without an answer, as a dead host's pooled connection does.
     */
    static final class DyingBackend implements AutoCloseable {
        private final java.net.ServerSocket listener = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress());
        private final java.util.List<java.net.Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger requestsAfterDeath =
                new java.util.concurrent.atomic.AtomicInteger();
        private volatile boolean dead;

        DyingBackend() throws java.io.IOException {
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed()) {
                    try {
                        java.net.Socket socket = listener.accept();
                        sockets.add(socket);
                        connections.incrementAndGet();
                        Thread serve = new Thread(() -> serve(socket), "dying-backend-connection");
                        serve.setDaemon(true);
                        serve.start();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "dying-backend");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve(java.net.Socket socket) {
            try (socket) {
                java.io.InputStream in = socket.getInputStream();
                for (;;) {
                    String head = RawHttp.readHead(in);
                    if (head.isEmpty()) {
                        return;
                    }
                    if (dead) {
                        requestsAfterDeath.incrementAndGet();
                        return; // closes without an answer
                    }
                    String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                    byte[] body = ("dying " + path).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    socket.getOutputStream().write(body);
                    socket.getOutputStream().flush();
                }
            } catch (java.io.IOException e) {
                // the connection is gone
            }
        }

        int port() {
            return listener.getLocalPort();
        }

        void die() throws java.io.IOException {
            dead = true;
            listener.close();
        }

        @Override
        public void close() throws java.io.IOException {
            listener.close();
            for (java.net.Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void aDeadEndpointsPooledConnectionsAreDroppedOnceOneFailsAndTheRequestGoesToTheOther() throws Exception {
        DyingBackend a = new DyingBackend();
        closeables.add(a);
        TestBackend b = backends.echo("b");
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", a.port()).endpoint("127.0.0.1", b.port())
                .build();
        server = EdgeServer.builder(Edge.builder().route(Route.named("r").path("/**").to(upstream).build()).build())
                .listen("127.0.0.1", 0).ioThreads(1).build().start();
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> warm = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) { // at once: several connections to each endpoint end up pooled
            warm.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/warm" + i)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (var response : warm) {
            assertEquals(200, response.join().statusCode());
        }
        assertTrue(a.connections.get() >= 2, "connections to a: " + a.connections.get());
        a.die();
        for (int i = 0; i < 6; i++) {
            assertEquals("200 b /after" + i, get("/after" + i));
        }
        assertEquals(1, a.requestsAfterDeath.get(), "one dead connection was tried, then none");
    }

    @Test
    void anEndpointDyingUnderConcurrentLoadFailsNoRequest() throws Exception {
        DyingBackend a = new DyingBackend();
        closeables.add(a);
        TestBackend b = backends.echo("b");
        Upstream upstream = Upstream.named("u").endpoint("127.0.0.1", a.port()).endpoint("127.0.0.1", b.port())
                .build();
        server = EdgeServer.builder(Edge.builder().route(Route.named("r").path("/**").to(upstream).build()).build())
                .listen("127.0.0.1", 0).build().start();
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        // three clients: as many failed attempts at once as the default retry budget's floor lets be retried
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(3);
        for (int c = 0; c < 3; c++) {
            int client = c;
            clients.execute(() -> {
                for (int i = 0; i < 200; i++) {
                    try {
                        String answer = get("/c" + client + "-" + i);
                        if (answer.startsWith("200")) {
                            answered.incrementAndGet();
                        } else {
                            failures.add(answer);
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            });
        }
        Await.until("traffic flows", () -> answered.get() > 100);
        a.die(); // under load, with connections to it pooled and in use
        clients.shutdown();
        assertTrue(clients.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(List.of(), failures, answered.get() + " answered");
        assertEquals(600, answered.get());
    }
}
