package io.edgekit.gateway.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import io.edgekit.core.testing.ManualClock;
import io.edgekit.gateway.auth.ApiKeyAuth;
import io.edgekit.gateway.auth.Consumer;
import io.edgekit.gateway.auth.InMemoryApiKeys;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Usage per consumer x route x status class, and the audit lines of auth decisions without secrets. */
@Timeout(10)
class AnalyticsAndAuditTest {
    @Test
    void usageAndAuditFollowEveryExchange() {
        ManualClock clock = new ManualClock();
        UsageAnalytics usage = UsageAnalytics.create();
        List<String> lines = new CopyOnWriteArrayList<>();
        InMemoryApiKeys keys = new InMemoryApiKeys().add("acme-1", "secret-key-0123456789", Consumer.of("acme", "gold"));
        Edge edge = Edge.builder().ticker(clock).scheduler(clock)
                .listener(usage).listener(AuditLog.to(lines::add))
                .route(Route.named("orders").path("/orders/**").policy(ApiKeyAuth.builder(keys).build())
                        .to((ex, r) -> {
                            clock.advance(Duration.ofMillis(r.path().endsWith("slow") ? 40 : 3));
                            return Response.of(r.path().endsWith("missing") ? 404 : 200).completed();
                        }).build())
                .build();
        EdgeTester tester = new EdgeTester(edge, new InMemoryTransport(), clock);
        for (int i = 0; i < 9; i++) {
            tester.send(Request.builder().uri("/orders/1").header("x-api-key", "secret-key-0123456789").build());
        }
        tester.send(Request.builder().uri("/orders/slow").header("x-api-key", "secret-key-0123456789").build());
        tester.send(Request.builder().uri("/orders/missing").header("x-api-key", "secret-key-0123456789").build());
        tester.send(Request.builder().uri("/orders/1?token=abc").header("x-api-key", "wrong-key-0123456789").build());
        List<UsageAnalytics.Usage> rows = usage.snapshot();
        assertEquals(List.of(
                new UsageAnalytics.Usage("acme", "orders", "2xx", 10, 5.0, 5.0, 50.0),
                new UsageAnalytics.Usage("acme", "orders", "4xx", 1, 5.0, 5.0, 5.0),
                new UsageAnalytics.Usage("anonymous", "orders", "4xx", 1, 1.0, 1.0, 1.0)), rows);
        assertEquals(12, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).matches("request=[0-9a-f]{32} client=203\\.0\\.113\\.10 GET /orders/1 route=orders"
                + " policy=apiKey\\(X-API-Key\\) decision=allow who=acme credential=api-key:acme-1"), lines.get(0));
        String denied = lines.get(11);
        assertTrue(denied.endsWith("decision=deny status=401 why=\"the API key is not valid\""), denied);
        for (String line : lines) {
            assertFalse(line.contains("secret-key") || line.contains("wrong-key") || line.contains("token=abc"), line);
        }
    }
}
