package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Filter;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The built-in reverse-proxy filters, in memory. */
class ProxyFiltersTest {
    /** Answers with the request's method, path, and headers x-a and x-b. */
    private static EdgeTester tester(Filter... filters) {
        Route.Builder route = Route.named("users").path("/users/{id}/**").to((ex, r) -> Response.of(200, "text/plain",
                r.method() + " " + r.path() + " a=" + r.headers().firstOrNull("x-a") + " b=" + r.headers().all("x-b"))
                .withHeader("server", "internal-9").withHeader("x-powered-by", "x").completed());
        for (Filter filter : filters) {
            route.filter(filter);
        }
        return new EdgeTester(Edge.builder().route(route.build()).build(), new InMemoryTransport());
    }

    private static String body(Response response) {
        return new String(response.body().aggregate(1 << 16).toCompletableFuture().join(), StandardCharsets.UTF_8);
    }

    @Test
    void headerTemplatesRenderPerRequest() {
        EdgeTester tester = tester(
                ProxyFilters.setRequestHeader("x-a", "{client_ip}|{method}|{path}|{host}|{scheme}|{id}|{{}x}}"),
                ProxyFilters.addRequestHeader("x-b", "rid={request_id}"),
                ProxyFilters.setResponseHeader("x-user", "user-{id}"),
                ProxyFilters.addResponseHeader("x-trace", "{request_id}"));
        Request request = Request.builder().authority("Shop.Example.com").uri("/users/42/orders")
                .header("x-b", "first").build();
        Response response = tester.start(request, "203.0.113.9").join();
        String id = response.headers().firstOrNull("x-request-id");
        assertEquals("GET /users/42/orders a=203.0.113.9|GET|/users/42/orders|shop.example.com|http|42|{x} b=[first, rid="
                + id + "]", body(response));
        assertEquals("user-42", response.headers().firstOrNull("x-user"));
        assertEquals(id, response.headers().firstOrNull("x-trace"));
    }

    @Test
    void badTemplatesFailAtBuildTime() {
        assertEquals("template: \"{not closed\" (expected: placeholders like {client_ip} or {id}; {{} for a literal brace)",
                assertThrows(IllegalArgumentException.class, () -> ProxyFilters.setRequestHeader("x", "{not closed"))
                        .getMessage());
    }

    @Test
    void removeAndHideHeaders() {
        EdgeTester tester = tester(ProxyFilters.removeRequestHeaders(List.of("x-a")), ProxyFilters.hideTopology());
        Response response = tester.send(Request.builder().uri("/users/1/x").header("x-a", "secret").build());
        assertEquals("GET /users/1/x a=null b=[]", body(response));
        assertFalse(response.headers().contains("server"));
        assertFalse(response.headers().contains("x-powered-by"));
    }

    @Test
    void redirectKeepsTheQuery() {
        EdgeTester tester = tester(ProxyFilters.redirect(308, "https://{host}{path}"));
        Response response = tester.send(Request.builder().authority("a.example").uri("/users/1/x?y=2").build());
        assertEquals(308, response.status());
        assertEquals("https://a.example/users/1/x?y=2", response.headers().firstOrNull("location"));
        assertEquals("status: 200 (expected: 301, 302, 303, 307 or 308)",
                assertThrows(IllegalArgumentException.class, () -> ProxyFilters.redirect(200, "/")).getMessage());
    }

    @Test
    void httpsRedirectAndHsts() {
        EdgeTester tester = tester(ProxyFilters.httpsRedirect(8443), ProxyFilters.hsts(Duration.ofDays(365), true));
        Response plain = tester.send(Request.builder().authority("Shop.Example:8080").uri("/users/1/x?y=1").build());
        assertEquals(308, plain.status());
        assertEquals("https://shop.example:8443/users/1/x?y=1", plain.headers().firstOrNull("location"));
        assertFalse(plain.headers().contains("strict-transport-security"));
        Response secure = tester.sendSecure(Request.builder().authority("shop.example").uri("/users/1/x").build());
        assertEquals(200, secure.status());
        assertEquals("max-age=31536000; includeSubDomains", secure.headers().firstOrNull("strict-transport-security"));
    }

    @Test
    void rewritePathForLaterFiltersAndTheTarget() {
        EdgeTester tester = tester(ProxyFilters.rewritePath("^/users/(\\d+)/legacy/(.*)$", "/users/$1/$2"));
        assertEquals("GET /users/7/profile a=null b=[]", body(tester.send(Request.get("/users/7/legacy/profile"))));
    }

    @Test
    void faultAbortHitsItsFraction() {
        long seed = 99;
        EdgeTester tester = tester(ProxyFilters.faultAbort(0.3, 503, new Random(seed)));
        int aborted = 0;
        for (int i = 0; i < 1000; i++) {
            Response response = tester.send(Request.get("/users/1/x"));
            if (response.status() == 503) {
                aborted++;
                assertTrue(body(response).contains("fault injected by the edge"));
            }
        }
        assertTrue(aborted > 250 && aborted < 350, "seed " + seed + ": " + aborted + " of 1000 aborted");
    }

    @Test
    void faultDelayWaitsOnTheSchedulerNotAThread() {
        EdgeTester tester = tester(ProxyFilters.faultDelay(1.0, Duration.ofSeconds(2), new Random(1)));
        CompletableFuture<Response> pending = tester.start(Request.get("/users/1/x"), "203.0.113.1");
        tester.clock().advance(Duration.ofMillis(1999));
        assertFalse(pending.isDone());
        tester.clock().advance(Duration.ofMillis(1));
        assertEquals(200, pending.join().status());
    }
}
