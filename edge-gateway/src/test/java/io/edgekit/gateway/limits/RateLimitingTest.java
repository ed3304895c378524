package io.edgekit.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import io.edgekit.core.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rate limits on the injected clock: precision, bursts, keys, the fields, and the store's bound. */
@Timeout(30)
class RateLimitingTest {
    private static EdgeTester tester(RateLimiting policy, ManualClock clock) {
        Edge edge = Edge.builder().ticker(clock).scheduler(clock)
                .route(Route.named("api").path("/api/**").policy(policy)
                        .to((ex, r) -> Response.of(200, "text/plain", "ok").completed()).build())
                .build();
        return new EdgeTester(edge, new InMemoryTransport(), clock);
    }

    private static Response get(EdgeTester tester, String client) {
        return tester.start(Request.get("/api/x"), client).join();
    }

    @Test
    void aHundredPerSecondLetsAHundredThroughEachSecond() {
        ManualClock clock = new ManualClock();
        EdgeTester tester = tester(RateLimiting.builder().limit(RateLimit.perSecond(100).withBurst(1)).build(), clock);
        for (int second = 0; second < 5; second++) {
            int allowed = 0;
            for (int ms = 0; ms < 1000; ms++) { // a request every 0.25 ms: four times the limit
                for (int q = 0; q < 4; q++) {
                    if (get(tester, "198.51.100.7").status() == 200) {
                        allowed++;
                    }
                    clock.advance(Duration.ofNanos(250_000));
                }
            }
            assertTrue(Math.abs(allowed - 100) <= 2, "second " + second + ": " + allowed + " let through");
        }
    }

    @Test
    void aBurstIsTakenAtOnceThenTheSteadyRate() {
        ManualClock clock = new ManualClock();
        EdgeTester tester = tester(RateLimiting.builder().limit(RateLimit.perSecond(100)).build(), clock);
        for (int i = 0; i < 100; i++) {
            Response ok = get(tester, "198.51.100.7");
            assertEquals(200, ok.status());
            assertEquals("\"per-second\";q=100;w=1", ok.headers().firstOrNull("ratelimit-policy"));
            assertEquals("\"per-second\";r=" + (99 - i) + ";t=1", ok.headers().firstOrNull("ratelimit"));
        }
        Response refused = get(tester, "198.51.100.7");
        assertEquals(429, refused.status());
        assertEquals("application/problem+json", refused.headers().firstOrNull("content-type"));
        assertEquals("1", refused.headers().firstOrNull("retry-after"));
        assertEquals("\"per-second\";r=0;t=1", refused.headers().firstOrNull("ratelimit"));
        assertTrue(body(refused).contains("rate limit \\\"per-second\\\" exceeded"), body(refused));
        assertTrue(body(refused).contains("\"requestId\":\""), "the problem carries the request id: " + body(refused));
        assertEquals(200, get(tester, "203.0.113.9").status(), "another client has its own bucket");
        clock.advance(Duration.ofMillis(10));
        assertEquals(200, get(tester, "198.51.100.7").status(), "one permit back after one interval");
        assertEquals(429, get(tester, "198.51.100.7").status());
    }

    @Test
    void everyLimitOfAPlanHolds() {
        ManualClock clock = new ManualClock();
        EdgeTester tester = tester(RateLimiting.builder().key(LimitKey.header("x-api-key"))
                .limit(RateLimit.perSecond(10)).limit(RateLimit.perMinute(15)).build(), clock);
        int allowed = 0;
        Response last = null;
        for (int i = 0; i < 40; i++) {
            last = tester.start(Request.builder().uri("/api/x").header("x-api-key", "k1").build(), "198.51.100.7").join();
            allowed += last.status() == 200 ? 1 : 0;
            clock.advance(Duration.ofMillis(100));
        }
        assertEquals(15, allowed, "the per-minute limit caps what the per-second one lets through");
        assertEquals(429, last.status());
        assertTrue(last.headers().firstOrNull("ratelimit").startsWith("\"per-minute\";r=0;t="), last.headers().toString());
        long retry = Long.parseLong(last.headers().firstOrNull("retry-after"));
        assertTrue(retry >= 1 && retry <= 4, "the next per-minute permit comes 4 s after the first: " + retry);
    }

    @Test
    void aFullStoreRefusesNewKeysAndNeverForgetsOneStillSending() {
        ManualClock clock = new ManualClock();
        LocalRateLimitStore store = new LocalRateLimitStore(3);
        EdgeTester tester = tester(RateLimiting.builder().limit(RateLimit.perSecond(1)).store(store).build(), clock);
        assertEquals(200, get(tester, "198.51.100.1").status());
        assertEquals(429, get(tester, "198.51.100.1").status());
        assertEquals(200, get(tester, "198.51.100.2").status());
        assertEquals(200, get(tester, "198.51.100.3").status());
        for (int i = 4; i < 50; i++) {
            Response refused = get(tester, "198.51.100." + i);
            assertEquals(429, refused.status(), "a new key while the store is full");
            assertTrue(body(refused).contains("holds as many clients"), body(refused));
        }
        assertEquals(429, get(tester, "198.51.100.1").status(), "the client still sending keeps its state");
        clock.advance(Duration.ofMillis(1100)); // every bucket is full again: their entries go
        assertEquals(200, get(tester, "198.51.100.77").status());
        assertTrue(store.size() <= 3, "held: " + store.size());
    }

    @Test
    void limitsThatCannotWorkAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RateLimit.perSecond(0));
        assertThrows(IllegalArgumentException.class, () -> RateLimit.perSecond(5).withBurst(0));
        assertThrows(IllegalArgumentException.class, () -> RateLimiting.builder()
                .limit(RateLimit.perSecond(5)).limit(RateLimit.perSecond(10)));
        assertThrows(IllegalStateException.class, () -> RateLimiting.builder().build());
    }

    private static String body(Response response) {
        return new String(response.body().aggregate(4096).toCompletableFuture().join(), StandardCharsets.UTF_8);
    }
}
