package io.edgekit.gateway.cors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import io.edgekit.gateway.Policies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** CORS at the edge: preflights answered before routing and policies, never an upstream's business. */
@Timeout(10)
class CorsTest {
    final InMemoryTransport upstream = new InMemoryTransport().serve("10.0.0.1:80",
            (ex, r) -> Response.of(200, "text/plain", "data").withHeader("Access-Control-Allow-Origin", "*")
                    .completed());

    private EdgeTester tester(Cors cors) {
        Edge edge = Edge.builder().decorator(cors)
                .route(Route.named("api").path("/api/**").policy(Policies.requireHeader("authorization"))
                        .to(Upstream.named("api").endpoint("10.0.0.1", 80).build()).build())
                .build();
        return new EdgeTester(edge, upstream);
    }

    private static Cors app() {
        return Cors.builder().allowOrigins("https://app.example.com").allowOriginPattern("https://*.example.org")
                .allowMethods("GET", "POST", "DELETE").allowHeaders("Authorization", "Content-Type")
                .exposeHeaders("X-Request-Id").allowCredentials(true).maxAge(Duration.ofMinutes(5)).build();
    }

    private static Request preflight(String origin, String method, String headers) {
        Request.Builder b = Request.builder().method("OPTIONS").uri("/api/orders").header("origin", origin)
                .header("access-control-request-method", method);
        return (headers == null ? b : b.header("access-control-request-headers", headers)).build();
    }

    @Test
    void anAllowedPreflightIsAnsweredAtTheEdgeBeforeAuth() {
        Response response = tester(app()).send(preflight("https://app.example.com", "DELETE", "authorization, content-type"));
        assertEquals(204, response.status());
        assertEquals("https://app.example.com", response.headers().firstOrNull("access-control-allow-origin"));
        assertEquals("GET, POST, DELETE", response.headers().firstOrNull("access-control-allow-methods"));
        assertEquals("authorization, content-type", response.headers().firstOrNull("access-control-allow-headers"));
        assertEquals("true", response.headers().firstOrNull("access-control-allow-credentials"));
        assertEquals("300", response.headers().firstOrNull("access-control-max-age"));
        assertTrue(response.headers().firstOrNull("vary").contains("Origin"));
        assertTrue(upstream.sent().isEmpty(), "never reaches the upstream");
    }

    @Test
    void aDisallowedPreflightGetsAClearRefusal() {
        for (Request bad : new Request[] {preflight("https://evil.example.com", "GET", null),
            preflight("https://app.example.com", "PUT", null),
            preflight("https://app.example.com", "GET", "x-secret"),
            preflight("https://example.org", "GET", null), preflight("https://evil-example.org", "GET", null)}) {
            Response response = tester(app()).send(bad);
            assertEquals(403, response.status(), bad.headers().toString());
            assertNull(response.headers().firstOrNull("access-control-allow-origin"));
            assertTrue(new String(response.body().aggregate(4096).toCompletableFuture().join(), StandardCharsets.UTF_8)
                    .contains("CORS preflight refused: "));
        }
        assertTrue(upstream.sent().isEmpty());
    }

    @Test
    void actualRequestsGetTheOriginNeverAStarWithCredentials() {
        Response allowed = tester(app()).send(Request.builder().uri("/api/orders").header("origin", "https://a.b.example.org")
                .header("authorization", "Bearer x").build());
        assertEquals(200, allowed.status());
        assertEquals("https://a.b.example.org", allowed.headers().firstOrNull("access-control-allow-origin"));
        assertEquals(1, allowed.headers().all("access-control-allow-origin").size(), "the upstream's * replaced");
        assertEquals("X-Request-Id", allowed.headers().firstOrNull("access-control-expose-headers"));
        assertEquals("Origin", allowed.headers().firstOrNull("vary"));
        Response other = tester(app()).send(Request.builder().uri("/api/orders").header("origin", "https://evil.com")
                .header("authorization", "Bearer x").build());
        assertNull(other.headers().firstOrNull("access-control-allow-origin"), "not for another origin");
        assertEquals("Origin", other.headers().firstOrNull("vary"));
        Response noOrigin = tester(app()).send(Request.builder().uri("/api/orders").header("authorization", "x").build());
        assertEquals("Origin", noOrigin.headers().firstOrNull("vary"), "it depends on Origin all the same");
        Response any = tester(Cors.builder().allowAnyOrigin().build()).send(Request.builder().uri("/api/orders")
                .header("origin", "https://x.test").header("authorization", "x").build());
        assertEquals("*", any.headers().firstOrNull("access-control-allow-origin"));
        assertFalse(any.headers().contains("access-control-allow-credentials"));
    }

    @Test
    void configurationThatCannotWorkIsRefused() {
        assertThrows(IllegalStateException.class, () -> Cors.builder().allowAnyOrigin().allowCredentials(true).build());
        assertThrows(IllegalStateException.class, () -> Cors.builder().build());
        assertThrows(IllegalArgumentException.class, () -> Cors.builder().allowOrigins("https://app.example.com/"));
        assertThrows(IllegalArgumentException.class, () -> Cors.builder().allowOriginPattern("https://example.*"));
    }
}
