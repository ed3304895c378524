package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Mirroring over real sockets: a slow, failing shadow never slows or fails the client. */
@Timeout(30)
class MirroringIT {

    @Test
    void aStallingShadowGetsItsCopyWhileTheClientIsAnsweredAtOnce() throws Exception {
        CompletableFuture<String> copy = new CompletableFuture<>();
        try (TestBackend primary = TestBackend.echo("primary");
                TestBackend shadow = TestBackend.start("shadow", exchange -> {
                    copy.complete(exchange.getRequestHeaders().getFirst("x-edgekit-mirror") + " "
                            + new String(exchange.getInputStream().readAllBytes()));
                    Thread.sleep(3000);
                    exchange.setStatusCode(500);
                })) {
            Edge edge = Edge.builder().route(Route.named("r").path("/**")
                    .mirror(Upstream.named("shadow").endpoint("127.0.0.1", shadow.port()).build(), 1.0)
                    .to(Upstream.named("primary").endpoint("127.0.0.1", primary.port()).build()).build()).build();
            EdgeServer server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
            try {
                long start = System.nanoTime();
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + server.port() + "/orders")).POST(HttpRequest.BodyPublishers.ofString(
                        "order-1")).build(), HttpResponse.BodyHandlers.ofString());
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(200, response.statusCode());
                assertEquals("order-1", response.body());
                assertTrue(millis < 2000, "answered in " + millis + " ms while the shadow stalls");
                String requestId = response.headers().firstValue("x-request-id").orElseThrow();
                assertEquals(requestId + " order-1", copy.get(5, TimeUnit.SECONDS));
            } finally {
                server.shutdown(Duration.ofSeconds(1));
            }
        }
    }
}
