package io.edgekit.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.proxy.EdgeServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A limit under real concurrent load from many connections, on the edge's real clock. */
@Timeout(60)
class RateLimitingIT {
    @Test
    void aHundredPerSecondHoldsUnderConcurrentLoad() throws Exception {
        Edge edge = Edge.builder()
                .route(Route.named("api").path("/api/**")
                        .policy(RateLimiting.builder().key(LimitKey.route()).limit(RateLimit.perSecond(100).withBurst(10))
                                .build())
                        .to((ex, r) -> Response.of(200, "text/plain", "ok").completed()).build())
                .build();
        EdgeServer server = EdgeServer.builder(edge).listen("127.0.0.1", 0).maxConnectionsPerClient(1000).build().start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/x");
            AtomicInteger allowed = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger other = new AtomicInteger();
            List<HttpClient> clients = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(); // its own connections
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()); // connected
                clients.add(client);
            }
            Thread.sleep(200); // the bucket fills up again (10 permits take 100 ms)
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            long[] window = new long[2];
            List<Thread> threads = new ArrayList<>();
            for (HttpClient client : clients) {
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    while (System.nanoTime() < window[1]) {
                        try {
                            int status = client.send(HttpRequest.newBuilder(uri).build(),
                                    HttpResponse.BodyHandlers.discarding()).statusCode();
                            (status == 200 ? allowed : status == 429 ? refused : other).incrementAndGet();
                        } catch (Exception e) {
                            other.incrementAndGet();
                        }
                    }
                });
                threads.add(thread);
                thread.start();
            }
            long start = System.nanoTime();
            window[0] = start;
            window[1] = start + Duration.ofSeconds(3).toNanos();
            go.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(0, other.get(), "every answer is 200 or 429");
            assertTrue(refused.get() > allowed.get(), "the load is well over the limit: " + refused + " refused");
            // a burst of 10 at the start, then one permit every 10 ms; the burst also absorbs the arrival
            // jitter of real connections (with a burst of 1, every slot a request misses by a little is lost)
            double expected = 10 + 100 * seconds;
            assertTrue(Math.abs(allowed.get() - expected) <= 2 * Math.ceil(seconds) + 1,
                    allowed + " let through in " + seconds + " s (expected " + expected + " ± 2 per second)");
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }
}
