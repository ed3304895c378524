package io.edgekit.gateway.versions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Split;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import io.edgekit.gateway.auth.ApiKeyAuth;
import io.edgekit.gateway.auth.Consumer;
import io.edgekit.gateway.auth.InMemoryApiKeys;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Versions by path, header and media type; deprecation fields; a canary sticky per consumer. */
@Timeout(30)
class VersionsTest {
    final InMemoryTransport upstreams = new InMemoryTransport()
            .serve("10.0.0.1:80", (ex, r) -> Response.of(200, "text/plain", "v1").completed())
            .serve("10.0.0.2:80", (ex, r) -> Response.of(200, "text/plain", "v2").completed());
    final Upstream v1 = Upstream.named("orders-v1").endpoint("10.0.0.1", 80).build();
    final Upstream v2 = Upstream.named("orders-v2").endpoint("10.0.0.2", 80).build();

    private static String body(Response response) {
        return new String(response.body().aggregate(4096).toCompletableFuture().join(), StandardCharsets.UTF_8);
    }

    @Test
    void aVersionIsChosenByPathHeaderOrMediaTypeAndTheOldOneSaysItIsGoing() {
        Instant deprecated = Instant.parse("2026-06-01T00:00:00Z");
        Instant sunset = Instant.parse("2027-01-04T00:00:00Z");
        Edge edge = Edge.builder()
                .route(Route.named("v2-path").path("/v2/orders/**").to(v2).build())
                .route(Versions.byHeader(Route.named("v2-header").path("/orders/**"), "2").to(v2).build())
                .route(Versions.byMediaType(Route.named("v2-media").path("/orders/**"), "application/vnd.orders.v2+json")
                        .to(v2).build())
                .route(Route.named("v1").path("/orders/**")
                        .filter(Versions.deprecated(deprecated, sunset, URI.create("https://docs.example.com/v1")))
                        .to(v1).build())
                .build();
        EdgeTester tester = new EdgeTester(edge, upstreams);
        assertEquals("v2", body(tester.send(Request.get("/v2/orders/1"))));
        assertEquals("v2", body(tester.send(Request.builder().uri("/orders/1").header("api-version", "2").build())));
        assertEquals("v2", body(tester.send(Request.builder().uri("/orders/1")
                .header("accept", "text/html, application/vnd.orders.v2+json;q=0.9").build())));
        Response old = tester.send(Request.builder().uri("/orders/1").header("accept", "application/json").build());
        assertEquals("v1", body(old));
        assertEquals("@1780272000", old.headers().firstOrNull("deprecation"));
        assertEquals("Mon, 04 Jan 2027 00:00:00 GMT", old.headers().firstOrNull("sunset"));
        assertEquals("<https://docs.example.com/v1>; rel=\"deprecation\"; type=\"text/html\"", old.headers().firstOrNull("link"));
        Response current = tester.send(Request.builder().uri("/orders/1").header("api-version", "2").build());
        assertNull(current.headers().firstOrNull("deprecation"));
    }

    @Test
    void aCanaryIsStickyPerConsumerAndTakesItsShare() {
        InMemoryApiKeys keys = new InMemoryApiKeys();
        for (int i = 0; i < 1000; i++) {
            keys.add("k" + i, "key-" + i + "-0123456789abcdef", Consumer.of("consumer-" + i, "free"));
        }
        Edge edge = Edge.builder()
                .route(Route.named("orders").path("/orders/**").policy(ApiKeyAuth.builder(keys).build())
                        .to(Split.builder().to(v1, 90).to(v2, 10).stickyBy(Split.Key.consumer()).build()).build())
                .build();
        EdgeTester tester = new EdgeTester(edge, upstreams);
        Map<String, String> first = new HashMap<>();
        int canary = 0;
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 1000; i++) {
                String served = body(tester.send(Request.builder().uri("/orders/1")
                        .header("x-api-key", "key-" + i + "-0123456789abcdef").build()));
                String before = first.putIfAbsent("consumer-" + i, served);
                assertTrue(before == null || before.equals(served), "consumer-" + i + " stays on " + before);
                if (round == 0 && served.equals("v2")) {
                    canary++;
                }
            }
        }
        assertTrue(canary > 60 && canary < 140, canary + " of 1000 consumers on the 10 % canary");
    }
}
