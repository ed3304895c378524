package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Body;
import io.edgekit.core.Edge;
import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import io.edgekit.core.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The HTTP cache's rules, in memory, on a manual clock: no sockets, no sleeps. */
class HttpCacheTest {
    private static final Instant START = Instant.parse("2026-11-27T12:00:00Z");

    /** A wall clock that moves with the manual clock. */
    private static Clock wall(ManualClock manual) {
        long base = manual.nanos();
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return START.plusNanos(manual.nanos() - base);
            }
        };
    }

    /** An origin whose answers a test scripts, counting the requests that reach it. */
    private static final class Origin {
        final AtomicInteger hits = new AtomicInteger();
        final List<Request> seen = new ArrayList<>();
        Function<Request, Response> answer = r -> Response.of(200, "text/plain", "v" + hits.get());
    }

    private final ManualClock clock;
    private final Clock wall;
    private final Origin origin = new Origin();
    private final EdgeTester tester;
    private final HttpCache cache;

    HttpCacheTest() {
        InMemoryTransport transport = new InMemoryTransport().serve("10.0.0.1:80", (ex, r) -> {
            origin.hits.incrementAndGet();
            origin.seen.add(r);
            return CompletableFuture.completedFuture(origin.answer.apply(r));
        });
        EdgeTester made = new EdgeTester(Edge.builder().build(), transport);
        clock = made.clock();
        wall = wall(clock);
        cache = HttpCache.builder().clock(wall).maxObjectBytes(1024).build();
        Edge edge = Edge.builder().route(Route.named("r").path("/**").filter(cache)
                .to(Upstream.named("o").endpoint("10.0.0.1", 80).build()).build()).build();
        tester = new EdgeTester(edge, transport, clock);
    }

    private String date() {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(wall.instant().atZone(ZoneOffset.UTC));
    }

    private Response origin(int status, String body, String... headers) {
        Headers.Builder h = Headers.of(headers).toBuilder().set("date", date()).set("content-type", "text/plain");
        return Response.of(status, h.build(), Body.of(body));
    }

    private Response get(String uri, String... headers) {
        return tester.send(Request.builder().authority("shop.example").uri(uri).headers(Headers.of(headers)).build());
    }

    private static String body(Response response) {
        return new String(response.body().aggregate(1 << 20).toCompletableFuture().join(), StandardCharsets.UTF_8);
    }

    private static String status(Response response) {
        return response.headers().firstOrNull("cache-status");
    }

    @Test
    void freshResponsesAreServedWithAgeUntilTheyExpire() {
        origin.answer = r -> origin(200, "v" + origin.hits.get(), "cache-control", "max-age=60");
        Response first = get("/a");
        assertEquals("edgekit; fwd=miss; stored", status(first));
        clock.advance(Duration.ofSeconds(10));
        Response second = get("/a");
        assertEquals("v1", body(second));
        assertEquals("edgekit; hit", status(second));
        assertEquals("10", second.headers().firstOrNull("age"));
        clock.advance(Duration.ofSeconds(51));
        assertEquals("v2", body(get("/a")));
        assertEquals(2, origin.hits.get());
    }

    @Test
    void sMaxAgeWinsOverMaxAgeAndExpiresIsUnderstood() {
        origin.answer = r -> origin(200, "x", "cache-control", "max-age=1, s-maxage=100");
        get("/s");
        clock.advance(Duration.ofSeconds(50));
        assertEquals("edgekit; hit", status(get("/s")));
        origin.answer = r -> origin(200, "e", "expires", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                wall.instant().plusSeconds(30).atZone(ZoneOffset.UTC)));
        get("/e");
        clock.advance(Duration.ofSeconds(20));
        assertEquals("edgekit; hit", status(get("/e")));
        clock.advance(Duration.ofSeconds(20));
        assertTrue(status(get("/e")).startsWith("edgekit; fwd="));
    }

    @Test
    void whatMustNotBeStoredIsNot() {
        String[][] cases = {{"cache-control", "no-store, max-age=60"}, {"cache-control", "private, max-age=60"},
            {"cache-control", "max-age=60", "set-cookie", "s=1"}, {"cache-control", "max-age=60", "vary", "*"}};
        for (String[] headers : cases) {
            int before = origin.hits.get();
            origin.answer = r -> origin(200, "x", headers);
            get("/n");
            get("/n");
            assertEquals(before + 2, origin.hits.get(), String.join(" ", headers));
        }
        origin.answer = r -> origin(200, "x", "cache-control", "max-age=60");
        get("/auth", "authorization", "Bearer t");
        get("/auth", "authorization", "Bearer t");
        assertEquals(2, origin.hits.get() - 8, "responses to authorized requests are not stored by default");
        origin.answer = r -> origin(200, "x", "cache-control", "public, max-age=60");
        get("/pub");
        Response authorized = get("/pub", "authorization", "Bearer t");
        assertEquals("edgekit; hit", status(authorized), "public allows serving to authorized requests");
    }

    @Test
    void varySelectsVariants() {
        origin.answer = r -> origin(200, "lang=" + r.headers().firstOrNull("accept-language"),
                "cache-control", "max-age=60", "vary", "Accept-Language");
        assertEquals("lang=en", body(get("/v", "accept-language", "en")));
        assertEquals("lang=de", body(get("/v", "accept-language", "de")));
        Response en = get("/v", "accept-language", "en");
        assertEquals("lang=en", body(en));
        assertEquals("edgekit; hit", status(en));
        assertEquals("edgekit; hit", status(get("/v", "accept-language", "de")));
        assertEquals(2, origin.hits.get());
    }

    @Test
    void staleEntriesAreRevalidatedAnd304Refreshes() {
        origin.answer = r -> r.headers().contains("if-none-match")
                ? origin(304, "", "etag", "\"e1\"", "cache-control", "max-age=30", "x-refreshed", "yes")
                : origin(200, "body", "etag", "\"e1\"", "cache-control", "max-age=10");
        get("/r");
        clock.advance(Duration.ofSeconds(11));
        Response revalidated = get("/r");
        assertEquals("body", body(revalidated));
        assertEquals("yes", revalidated.headers().firstOrNull("x-refreshed"));
        assertEquals("\"e1\"", origin.seen.get(1).headers().firstOrNull("if-none-match"));
        clock.advance(Duration.ofSeconds(20));
        assertEquals("edgekit; hit", status(get("/r")), "the 304 brought max-age=30");
        assertEquals(2, origin.hits.get());
    }

    @Test
    void clientConditionalsAre304FromTheCache() {
        origin.answer = r -> origin(200, "body", "etag", "\"e1\"", "last-modified", "Tue, 24 Nov 2026 10:00:00 GMT",
                "cache-control", "max-age=60");
        get("/c");
        assertEquals(304, get("/c", "if-none-match", "\"e1\"").status());
        assertEquals(200, get("/c", "if-none-match", "\"other\"").status());
        assertEquals(304, get("/c", "if-modified-since", "Wed, 25 Nov 2026 10:00:00 GMT").status());
        assertEquals(1, origin.hits.get());
    }

    @Test
    void staleWhileRevalidateServesStaleAndRefreshesInTheBackground() {
        origin.answer = r -> origin(200, "v" + origin.hits.get(), "cache-control", "max-age=5, stale-while-revalidate=30");
        get("/swr");
        clock.advance(Duration.ofSeconds(10));
        Response stale = get("/swr");
        assertEquals("v1", body(stale));
        assertEquals("edgekit; hit; fwd=stale; detail=stale-while-revalidate", status(stale));
        assertEquals(2, origin.hits.get(), "one background revalidation");
        assertEquals("v2", body(get("/swr")));
    }

    @Test
    void staleIfErrorServesStaleWhenTheOriginFails() {
        origin.answer = r -> origin(200, "good", "cache-control", "max-age=5, stale-if-error=60");
        get("/sie");
        clock.advance(Duration.ofSeconds(10));
        origin.answer = r -> origin(503, "down");
        Response response = get("/sie");
        assertEquals(200, response.status());
        assertEquals("good", body(response));
        assertEquals("edgekit; hit; fwd=stale; detail=stale-if-error", status(response));
        clock.advance(Duration.ofSeconds(100));
        assertEquals(503, get("/sie").status(), "past the stale-if-error window the error goes through");
    }

    @Test
    void requestDirectivesAreHonoured() {
        origin.answer = r -> origin(200, "v" + origin.hits.get(), "cache-control", "max-age=60");
        get("/d");
        assertEquals("v2", body(get("/d", "cache-control", "no-cache")));
        clock.advance(Duration.ofSeconds(30));
        assertEquals("v3", body(get("/d", "cache-control", "max-age=10")));
        assertEquals(504, get("/none", "cache-control", "only-if-cached").status());
        origin.answer = r -> origin(200, "m", "cache-control", "max-age=1");
        get("/ms");
        clock.advance(Duration.ofSeconds(5));
        assertEquals("edgekit; hit; detail=max-stale", status(get("/ms", "cache-control", "max-stale=10")));
    }

    @Test
    void unsafeMethodsInvalidateAndPurgeRemoves() {
        origin.answer = r -> origin(200, "v" + origin.hits.get(), "cache-control", "max-age=60");
        get("/items/1");
        get("/items/2");
        tester.send(Request.builder().method("POST").authority("shop.example").uri("/items/1").build());
        assertEquals("v4", body(get("/items/1")), "the POST (the third request upstream) invalidated /items/1");
        assertEquals("edgekit; hit", status(get("/items/2")));
        assertTrue(cache.purge("shop.example", "/items/2"));
        assertEquals(1, cache.purgePrefix("shop.example", "/items/"));
        assertEquals(0, cache.size());
    }

    @Test
    void headIsServedFromAStoredGet() {
        origin.answer = r -> origin(200, "12345", "cache-control", "max-age=60");
        get("/h");
        Response head = tester.send(Request.builder().method("HEAD").authority("shop.example").uri("/h").build());
        assertEquals("edgekit; hit", status(head));
        assertEquals("5", head.headers().firstOrNull("content-length"));
        assertEquals(1, origin.hits.get());
    }

    @Test
    void surrogateControlAimedAtThisCacheOverridesCacheControl() {
        // max-age in Surrogate-Control stores and keeps fresh what Cache-Control forbids or keeps short
        origin.answer = r -> origin(200, "s", "cache-control", "no-store", "surrogate-control", "max-age=100");
        Response first = get("/sc/fresh");
        assertEquals("edgekit; fwd=miss; stored", status(first));
        assertEquals(null, first.headers().firstOrNull("surrogate-control"), "removed on the way out");
        assertEquals("no-store", first.headers().firstOrNull("cache-control"), "meant for the caches downstream");
        clock.advance(Duration.ofSeconds(99));
        Response hit = get("/sc/fresh");
        assertEquals("edgekit; hit", status(hit));
        assertEquals(null, hit.headers().firstOrNull("surrogate-control"));
        clock.advance(Duration.ofSeconds(2));
        assertTrue(status(get("/sc/fresh")).startsWith("edgekit; fwd="));

        // no-store in Surrogate-Control keeps out what Cache-Control would store
        origin.answer = r -> origin(200, "n", "cache-control", "max-age=100", "surrogate-control", "no-store");
        get("/sc/nostore");
        assertEquals("edgekit; fwd=miss; detail=no-store", status(get("/sc/nostore")));

        // a shorter surrogate max-age wins over a longer Cache-Control one; device tokens select controls
        origin.answer = r -> origin(200, "t", "cache-control", "max-age=1000",
                "surrogate-control", "max-age=1, max-age=500;edgekit, max-age=0;other-cdn");
        get("/sc/targeted");
        clock.advance(Duration.ofSeconds(400));
        assertEquals("edgekit; hit", status(get("/sc/targeted")), "the control aimed at this token wins");
        origin.answer = r -> origin(200, "o", "surrogate-control", "max-age=100;other-cdn");
        get("/sc/other");
        assertTrue(status(get("/sc/other")).startsWith("edgekit; fwd="), "a control for another device is ignored");

        // a malformed max-age is ignored: Cache-Control decides
        origin.answer = r -> origin(200, "m", "cache-control", "max-age=1", "surrogate-control", "max-age =100");
        get("/sc/malformed");
        clock.advance(Duration.ofSeconds(2));
        assertTrue(status(get("/sc/malformed")).startsWith("edgekit; fwd="));

        // every request upstream says what this surrogate understands
        assertTrue(origin.seen.stream().allMatch(r -> "edgekit=\"Surrogate/1.0\"".equals(
                r.headers().firstOrNull("surrogate-capability"))));
    }

    @Test
    void surrogateControlIsPassedOnWhenTheCacheHasNoToken() {
        HttpCache plain = HttpCache.builder().clock(wall).surrogateToken(null).build();
        InMemoryTransport transport = new InMemoryTransport().serve("10.0.0.2:80", (ex, r) -> {
            origin.seen.add(r);
            return CompletableFuture.completedFuture(origin(200, "p", "cache-control", "no-store",
                    "surrogate-control", "max-age=100"));
        });
        EdgeTester other = new EdgeTester(Edge.builder().route(Route.named("p").path("/**").filter(plain)
                .to(Upstream.named("p").endpoint("10.0.0.2", 80).build()).build()).build(), transport, clock);
        Response response = other.send(Request.builder().authority("shop.example").uri("/p").build());
        assertEquals("edgekit; fwd=miss; detail=no-store", status(response));
        assertEquals("max-age=100", response.headers().firstOrNull("surrogate-control"));
        assertEquals(null, origin.seen.get(0).headers().firstOrNull("surrogate-capability"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> HttpCache.builder().surrogateToken("not a token"));
    }

    @Test
    void rangesAreServedFromAStoredCompleteResponse() {
        origin.answer = r -> origin(200, "0123456789", "cache-control", "max-age=60", "etag", "\"v1\"");
        get("/r");
        Response first = get("/r", "range", "bytes=2-4");
        assertEquals(206, first.status());
        assertEquals("234", body(first));
        assertEquals("bytes 2-4/10", first.headers().firstOrNull("content-range"));
        assertEquals("edgekit; hit", status(first));
        assertEquals("6789", body(get("/r", "range", "bytes=6-")));
        assertEquals("89", body(get("/r", "range", "bytes=-2")));
        assertEquals("9", body(get("/r", "range", "bytes=9-100")));
        Response outside = get("/r", "range", "bytes=10-");
        assertEquals(416, outside.status());
        assertEquals("bytes */10", outside.headers().firstOrNull("content-range"));
        assertEquals(200, get("/r", "range", "bytes=0-1,4-5").status(), "several ranges: the whole");
        assertEquals(200, get("/r", "range", "items=0-1").status(), "another unit: the whole");
        assertEquals(206, get("/r", "range", "bytes=0-1", "if-range", "\"v1\"").status());
        Response changed = get("/r", "range", "bytes=0-1", "if-range", "\"v0\"");
        assertEquals(200, changed.status(), "If-Range that no longer matches: the whole");
        assertEquals("0123456789", body(changed));
        assertEquals(1, origin.hits.get());
    }

    @Test
    void theSchemeIsPartOfTheKey() {
        origin.answer = r -> origin(200, r.scheme() + "-" + origin.hits.get(), "cache-control", "max-age=60");
        assertEquals("http-1", body(get("/k")));
        Response secure = tester.sendSecure(Request.builder().authority("shop.example").uri("/k").build());
        assertEquals("edgekit; fwd=miss; stored", status(secure), "https is another resource than http");
        assertEquals("edgekit; hit", status(get("/k")));
        assertEquals("edgekit; hit", status(tester.sendSecure(Request.builder().authority("shop.example").uri("/k")
                .build())));
        assertEquals(2, cache.size());
        assertTrue(cache.purge("shop.example", "/k"), "purge removes both");
        assertEquals(0, cache.size());
    }

    @Test
    void responsesToAuthorizedRequestsAreStoredWhenTheySaySo() {
        for (String directive : new String[] {"public, max-age=60", "s-maxage=60", "max-age=60, must-revalidate"}) {
            String uri = "/authorized/" + directive.replace(' ', '_');
            origin.answer = r -> origin(200, "shared", "cache-control", directive);
            Response first = get(uri, "authorization", "Bearer t");
            assertEquals("edgekit; fwd=miss; stored", status(first), directive);
            assertEquals("edgekit; hit", status(get(uri)), directive);
            assertEquals("edgekit; hit", status(get(uri, "authorization", "Bearer u")), directive);
        }
        origin.answer = r -> origin(200, "mine", "cache-control", "max-age=60");
        assertEquals("edgekit; fwd=miss; detail=authorization", status(get("/mine", "authorization", "Bearer t")));
        assertEquals("edgekit; fwd=miss; stored", status(get("/mine")), "the other client's answer was not kept");
    }

    @Test
    void ifModifiedSinceTakesEveryHttpDateFormatAndFallsBackToDate() {
        origin.answer = r -> origin(200, "d", "cache-control", "max-age=600", "last-modified",
                "Sun, 06 Nov 1994 08:49:37 GMT");
        get("/dated");
        assertEquals(304, get("/dated", "if-modified-since", "Sunday, 06-Nov-94 08:49:37 GMT").status(), "RFC 850");
        assertEquals(304, get("/dated", "if-modified-since", "Sun Nov  6 08:49:37 1994").status(), "asctime");
        assertEquals(200, get("/dated", "if-modified-since", "Sat, 05 Nov 1994 08:49:37 GMT").status());
        origin.answer = r -> origin(200, "n", "cache-control", "max-age=600"); // Date, no Last-Modified
        get("/undated");
        String later = DateTimeFormatter.RFC_1123_DATE_TIME.format(wall.instant().plusSeconds(60).atZone(ZoneOffset.UTC));
        assertEquals(304, get("/undated", "if-modified-since", later).status(), "the Date stands in");
    }
}
