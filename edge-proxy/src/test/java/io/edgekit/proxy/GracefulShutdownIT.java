package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class GracefulShutdownIT {

    @Test
    void awaitShutdownBlocksUntilTheServerIsDownAndReturnsAtOnceAfterAFailedStart() throws Exception {
        EdgeServer server = EdgeServer.builder(Edge.builder().build()).listen("127.0.0.1", 0).build().start();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                server.awaitShutdown();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertFalse(server.awaitShutdown(Duration.ofMillis(200)), "still serving");
        assertFalse(waiting.isDone());
        server.shutdown(Duration.ofSeconds(1));
        waiting.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(server.awaitShutdown(Duration.ZERO));

        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            EdgeServer clash = EdgeServer.builder(Edge.builder().build()).listen("127.0.0.1", 0)
                    .listen("127.0.0.1", taken.getLocalPort()).build();
            java.io.UncheckedIOException failed = assertThrows(java.io.UncheckedIOException.class, clash::start);
            assertTrue(failed.getMessage().startsWith("cannot listen on http://127.0.0.1:" + taken.getLocalPort() + ": "),
                    "names the one address that failed: " + failed.getMessage());
            assertTrue(clash.awaitShutdown(Duration.ZERO));
        }
    }

    @Test
    void shutdownLetsInFlightRequestsFinishAndStopsAccepting() throws Exception {
        try (TestBackend slow = TestBackend.start("slow", exchange -> {
            Thread.sleep(700);
            exchange.getResponseSender().send("done");
        })) {
            Edge edge = Edge.builder().route(Route.named("r").path("/**")
                    .to(Upstream.named("slow").endpoint("127.0.0.1", slow.port()).build()).build()).build();
            EdgeServer server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
            int port = server.port();
            HttpClient client = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                inFlight.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/w" + i))
                        .build(), HttpResponse.BodyHandlers.ofString()));
            }
            Await.until("all 10 requests at the backend", Duration.ofSeconds(10), () -> slow.requests.get() == 10);
            assertTrue(server.shutdown(Duration.ofSeconds(10)), "drained in time");
            for (CompletableFuture<HttpResponse<String>> response : inFlight) {
                assertEquals(200, response.join().statusCode());
                assertEquals("done", response.join().body());
            }
            assertThrows(ConnectException.class, () -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                }
            });
        }
    }

    @Test
    void shutdownDeadlineClosesWhatIsLeft() throws Exception {
        try (TestBackend stuck = TestBackend.start("stuck", exchange -> {
            Thread.sleep(1500);
            exchange.getResponseSender().send("late");
        })) {
            Edge edge = Edge.builder().route(Route.named("r").path("/**")
                    .to(Upstream.named("stuck").endpoint("127.0.0.1", stuck.port()).build()).build()).build();
            EdgeServer server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
            CompletableFuture<HttpResponse<String>> pending = HttpClient.newHttpClient().sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Await.until("the request at the backend", Duration.ofSeconds(10), () -> stuck.requests.get() >= 1);
            long start = System.nanoTime();
            boolean drained = server.shutdown(Duration.ofMillis(300));
            assertEquals(false, drained);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos());
            assertTrue(pending.handle((r, e) -> e != null || r.statusCode() >= 500).join());
        }
    }
}
