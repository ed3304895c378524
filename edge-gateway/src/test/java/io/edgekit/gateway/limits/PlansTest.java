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
import io.edgekit.gateway.MutableClock;
import io.edgekit.gateway.auth.ApiKeyAuth;
import io.edgekit.gateway.auth.Consumer;
import io.edgekit.gateway.auth.InMemoryApiKeys;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Plans: each consumer's limits and quotas by the plan an auth policy named. */
@Timeout(30)
class PlansTest {
    final ManualClock ticker = new ManualClock();
    final MutableClock wall = new MutableClock(Instant.parse("2026-12-05T23:59:00Z"));
    final InMemoryApiKeys keys = new InMemoryApiKeys()
            .add("free-key", "free-0123456789abcdef", Consumer.of("hobbyist", "free"))
            .add("gold-key", "gold-0123456789abcdef", Consumer.of("bigcorp", "gold"))
            .add("odd-key", "odd-0123456789abcdefg", Consumer.of("odd", "platinum"));

    private EdgeTester tester(Plans plans) {
        Edge edge = Edge.builder().ticker(ticker).scheduler(ticker)
                .route(Route.named("api").path("/api/**").policy(ApiKeyAuth.builder(keys).build()).policy(plans)
                        .to((ex, r) -> Response.of(200, "text/plain", "ok").completed()).build())
                .build();
        return new EdgeTester(edge, new InMemoryTransport(), ticker);
    }

    private static Response get(EdgeTester tester, String key) {
        return tester.send(Request.builder().uri("/api/x").header("x-api-key", key).build());
    }

    private Plans plans() {
        return Plans.builder().clock(wall)
                .plan("free", RateLimit.perSecond(2)).quota("free", Quota.perDay(5))
                .plan("gold", RateLimit.perSecond(100))
                .defaultPlan("free")
                .build();
    }

    @Test
    void eachPlanHasItsOwnLimits() {
        EdgeTester tester = tester(plans());
        assertEquals(200, get(tester, "free-0123456789abcdef").status());
        assertEquals(200, get(tester, "free-0123456789abcdef").status());
        Response limited = get(tester, "free-0123456789abcdef");
        assertEquals(429, limited.status());
        assertEquals("\"free-per-second\";r=0;t=1", limited.headers().firstOrNull("ratelimit"));
        for (int i = 0; i < 50; i++) {
            assertEquals(200, get(tester, "gold-0123456789abcdef").status(), "gold " + i);
        }
        Response gold = get(tester, "gold-0123456789abcdef");
        assertEquals("\"gold-per-second\";q=100;w=1", gold.headers().firstOrNull("ratelimit-policy"));
        ticker.advance(Duration.ofSeconds(1));
        Response odd = get(tester, "odd-0123456789abcdefg");
        assertEquals(200, odd.status(), "an unknown plan gets the default plan");
        assertTrue(odd.headers().firstOrNull("ratelimit-policy").contains("\"day\";q=5;w=86400"));
    }

    @Test
    void aDailyQuotaRunsOutAndComesBackAtMidnightUtc() {
        EdgeTester tester = tester(plans());
        int allowed = 0;
        Response last = null;
        for (int i = 0; i < 10; i++) {
            last = get(tester, "free-0123456789abcdef");
            allowed += last.status() == 200 ? 1 : 0;
            ticker.advance(Duration.ofSeconds(1)); // within the per-second limit
        }
        assertEquals(5, allowed);
        assertEquals(429, last.status());
        assertEquals("60", last.headers().firstOrNull("retry-after"), "up to 00:00 UTC");
        assertEquals("\"day\";r=0;t=60", last.headers().firstOrNull("ratelimit"));
        wall.now = Instant.parse("2026-12-06T00:00:01Z");
        assertEquals(200, get(tester, "free-0123456789abcdef").status(), "a new day");
    }

    @Test
    void withoutADefaultPlanAConsumerWithNoneIsRefused() {
        EdgeTester tester = tester(Plans.builder().plan("gold", RateLimit.perSecond(10)).build());
        assertEquals(403, get(tester, "free-0123456789abcdef").status());
        assertEquals(200, get(tester, "gold-0123456789abcdef").status());
        assertThrows(IllegalStateException.class, () -> Plans.builder().plan("gold").defaultPlan("free").build());
    }

    @Test
    void aQuotaHoldsExactlyUnderConcurrentRequests() throws Exception {
        EdgeTester tester = tester(Plans.builder().clock(wall).quota("free", Quota.perDay(1000)).defaultPlan("free").build());
        java.util.concurrent.atomic.AtomicInteger allowed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 250; i++) {
                    int status = get(tester, "free-0123456789abcdef").status();
                    (status == 200 ? allowed : refused).incrementAndGet();
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(1000, allowed.get(), "8 x 250 requests against a quota of 1,000");
        assertEquals(1000, refused.get());
    }

    @Test
    void quotaWindowsAreUtcDaysAndMonths() {
        Instant at = Instant.parse("2026-12-31T23:30:00Z");
        long day = Quota.perDay(1).windowStart(at);
        assertEquals(Instant.parse("2026-12-31T00:00:00Z").getEpochSecond(), day);
        assertEquals(Instant.parse("2027-01-01T00:00:00Z").getEpochSecond(), Quota.perDay(1).windowEnd(day));
        long month = Quota.perMonth(1).windowStart(at);
        assertEquals(Instant.parse("2026-12-01T00:00:00Z").getEpochSecond(), month);
        assertEquals(Instant.parse("2027-01-01T00:00:00Z").getEpochSecond(), Quota.perMonth(1).windowEnd(month));
        long february = Quota.perMonth(1).windowStart(Instant.parse("2028-02-29T12:00:00Z"));
        assertEquals(Instant.parse("2028-03-01T00:00:00Z").getEpochSecond(), Quota.perMonth(1).windowEnd(february));
    }
}
