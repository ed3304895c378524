package io.edgekit.core.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.TrustedProxies;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import io.edgekit.core.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Trace context, the access log and upstream failure lines, on the in-memory kit. */
@Timeout(20)
class ObserveTest {
    static final String PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @Test
    void aTrustedCallersTraceIsKeptAndEveryOtherStartsOne() {
        InMemoryTransport upstream = new InMemoryTransport().serve("10.0.0.1:80", (ex, r) -> Response.of(200).completed());
        Edge edge = Edge.builder().trustedProxies(TrustedProxies.of("10.9.0.0/16"))
                .decorator(TraceContext.trusting(TrustedProxies.of("10.9.0.0/16")))
                .route(Route.named("r").path("/**").to(Upstream.named("u").endpoint("10.0.0.1", 80).build()).build())
                .build();
        EdgeTester tester = new EdgeTester(edge, upstream);
        Request traced = Request.builder().uri("/x").header("traceparent", PARENT).header("tracestate", "vendor=1").build();
        tester.start(traced, "10.9.1.1").join();
        String kept = upstream.sent().get(0).request().headers().firstOrNull("traceparent");
        assertTrue(kept.startsWith("00-0af7651916cd43dd8448eb211c80319c-") && kept.endsWith("-01"), kept);
        assertNotEquals(PARENT, kept, "the edge's own span id");
        assertEquals("vendor=1", upstream.sent().get(0).request().headers().firstOrNull("tracestate"));
        tester.start(traced, "203.0.113.5").join();
        String started = upstream.sent().get(1).request().headers().firstOrNull("traceparent");
        assertTrue(TraceContext.isValid(started), started);
        assertFalse(started.contains("0af7651916cd43dd8448eb211c80319c"), "an untrusted caller's trace is not kept");
        assertFalse(upstream.sent().get(1).request().headers().contains("tracestate"));
        tester.start(Request.builder().uri("/x").header("traceparent", "00-" + "0".repeat(32) + "-b7ad6b7169203331-01")
                .build(), "10.9.1.1").join();
        assertFalse(upstream.sent().get(2).request().headers().firstOrNull("traceparent").contains("0".repeat(32)));
        for (String bad : List.of("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", "00-0af7651916cd43dd-b7ad6b7169203331-01")) {
            assertFalse(TraceContext.isValid(bad), bad);
        }
    }

    @Test
    void everyExchangeGetsOneLineWithoutItsQueryAndRefusalsToo() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        AccessLog log = AccessLog.to(AccessLog.Format.JSON, lines::add, 100);
        Edge edge = Edge.builder().listener(log).decorator(TraceContext.trusting(TrustedProxies.none()))
                .route(Route.named("orders").path("/orders/**").to((ex, r) -> Response.of(200, "text/plain", "ok")
                        .completed()).build())
                .route(Route.named("up").path("/up/**").to(Upstream.named("u").endpoint("10.0.0.1", 80).build()).build())
                .build();
        // the upstream answers at once on the kit's clock: its attempt takes no time
        EdgeTester tester = new EdgeTester(edge, new InMemoryTransport().serve("10.0.0.1:80",
                (ex, r) -> Response.of(204).completed()));
        tester.send(Request.builder().uri("/orders/1?api_key=secret-value").header("authorization", "Bearer t0ken").build());
        tester.send(Request.get("/nowhere"));
        tester.send(Request.get("/up/x"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (lines.size() < 3 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        log.close();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(2).contains("\"endpoint\":\"10.0.0.1:80\",\"status\":204")
                && lines.get(2).contains("\"upstreamMs\":0.000"), lines.get(2));
        String first = lines.get(0);
        assertTrue(first.matches("\\{\"time\":\"[^\"]+\",\"requestId\":\"[0-9a-f]{32}\",\"client\":\"203\\.0\\.113\\.10\","
                + "\"method\":\"GET\",\"path\":\"/orders/1\",\"route\":\"orders\",\"endpoint\":\"-\",\"status\":200,"
                + "\"bytesIn\":0,\"bytesOut\":2,\"totalMs\":[0-9.]+,\"upstreamMs\":-1\\.000,\"consumer\":\"-\",\"cache\":\"-\","
                + "\"traceId\":\"[0-9a-f]{32}\"\\}"), first);
        assertFalse(first.contains("secret-value") || first.contains("t0ken"));
        assertTrue(lines.get(1).contains("\"path\":\"/nowhere\",\"route\":\"-\"") && lines.get(1).contains("\"status\":404"));
    }

    @Test
    void aSlowSinkDropsAndCountsInsteadOfHoldingTheEdge() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> written = new ArrayList<>();
        AccessLog log = AccessLog.to(AccessLog.Format.COMMON, line -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (written) {
                written.add(line);
            }
        }, 4);
        Edge edge = Edge.builder().listener(log)
                .route(Route.named("r").path("/**").to((ex, r) -> Response.of(204).completed()).build()).build();
        EdgeTester tester = new EdgeTester(edge, new InMemoryTransport());
        for (int i = 0; i < 20; i++) {
            tester.send(Request.get("/x"));
        }
        assertTrue(log.dropped() >= 15, "dropped " + log.dropped());
        release.countDown();
        log.close();
        assertTrue(written.size() >= 1 && written.size() <= 5, written.size() + " written");
        assertTrue(written.get(0).matches("203\\.0\\.113\\.10 - - \\[.+\\] \"GET /x HTTP/1.1\" 204 0 rid=[0-9a-f]{32}"
                + " route=r endpoint=- in=0 total=.+ upstream=-1.000ms cache=- trace=-"), written.get(0));
    }

    @Test
    void aDeadEndpointWritesAFewLinesNotOnePerRequest() {
        ManualClock clock = new ManualClock();
        List<String> lines = new CopyOnWriteArrayList<>();
        UpstreamFailureLog failures = UpstreamFailureLog.to(lines::add, Duration.ofSeconds(10).toNanos(), clock::nanos);
        InMemoryTransport upstream = new InMemoryTransport().refuse("10.0.0.9:80");
        Edge edge = Edge.builder().ticker(clock).scheduler(clock).listener(failures)
                .route(Route.named("orders").path("/**").to(Upstream.named("orders").endpoint("10.0.0.9", 80).build())
                        .build())
                .build();
        EdgeTester tester = new EdgeTester(edge, upstream, clock);
        for (int i = 0; i < 50; i++) {
            assertEquals(502, tester.send(Request.get("/x")).status());
        }
        assertEquals(List.of("upstream 'orders' endpoint 10.0.0.9:80 (route 'orders'): connection refused or unreachable"),
                lines);
        clock.advance(Duration.ofSeconds(11));
        tester.send(Request.get("/x"));
        assertEquals(2, lines.size());
        assertTrue(lines.get(1).endsWith("; 49 more since the last line"), lines.get(1));
    }
}
