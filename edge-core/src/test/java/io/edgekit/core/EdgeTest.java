package io.edgekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class EdgeTest {
    private static final Upstream API = Upstream.named("api")
            .endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80).build();

    static String body(Response response) {
        return new String(response.body().aggregate(1 << 20).toCompletableFuture().join(), StandardCharsets.UTF_8);
    }

    private static Handler answer(String text) {
        return (ex, r) -> Response.of(200, "text/plain", text + " " + r.uri()).completed();
    }

    @Test
    void routesToUpstreamRoundRobinWithStrippedPrefix() {
        InMemoryTransport transport = new InMemoryTransport()
                .serve("10.0.0.1:80", answer("one")).serve("10.0.0.2:80", answer("two"));
        Edge edge = Edge.builder().route(Route.named("api").path("/api/**").stripPrefix().to(API).build()).build();
        EdgeTester tester = new EdgeTester(edge, transport);
        assertEquals("one /orders?x=1", body(tester.send(Request.get("/api/orders?x=1"))));
        assertEquals("two /orders?x=1", body(tester.send(Request.get("/api/orders?x=1"))));
        assertEquals("one /", body(tester.send(Request.get("/api"))));
    }

    @Test
    void noRouteIsA404ProblemWithRequestId() {
        Edge edge = Edge.builder().build();
        Response response = new EdgeTester(edge, new InMemoryTransport()).send(Request.get("/x"));
        assertEquals(404, response.status());
        assertEquals("application/problem+json", response.headers().firstOrNull("content-type"));
        String id = response.headers().firstOrNull("x-request-id");
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
                + "\"detail\":\"no route matches GET /x\",\"requestId\":\"" + id + "\"}", body(response));
    }

    @Test
    void policiesRunEdgeWideFirstThenRouteAndFirstDenyAnswers() {
        List<String> order = new ArrayList<>();
        Policy edgeWide = (ex, r) -> {
            order.add("edge");
            return CompletableFuture.completedFuture(Decision.allow().withRequestHeader("x-edge", "1"));
        };
        Policy deny = (ex, r) -> {
            order.add("deny");
            return CompletableFuture.completedFuture(r.headers().contains("x-key") ? Decision.allow()
                    : Decision.deny(401, "Unauthorized", "x-key is required"));
        };
        Policy never = (ex, r) -> {
            order.add("never");
            return CompletableFuture.completedFuture(Decision.allow());
        };
        Edge edge = Edge.builder().policy(edgeWide)
                .route(Route.named("r").path("/**").policy(deny).policy(never).to(answer("ok")).build()).build();
        Response response = new EdgeTester(edge, new InMemoryTransport()).send(Request.get("/a"));
        assertEquals(401, response.status());
        assertEquals(List.of("edge", "deny"), order);
        assertTrue(body(response).contains("\"detail\":\"x-key is required\""));
    }

    @Test
    void allowDecisionAddsIdentityAndHeadersBothWays() {
        Policy auth = (ex, r) -> CompletableFuture.supplyAsync(() -> Decision.allow() // completes later
                .withIdentity(Identity.of("alice"))
                .withRequestHeader("x-user", "alice")
                .withResponseHeader("x-ratelimit-remaining", "9"));
        Handler echo = (ex, r) -> Response.of(200, "text/plain",
                ex.identity().map(Identity::subject).orElse("-") + " " + r.headers().firstOrNull("x-user")).completed();
        Edge edge = Edge.builder().route(Route.named("r").path("/**").policy(auth).to(echo).build()).build();
        Response response = new EdgeTester(edge, new InMemoryTransport()).send(
                Request.builder().uri("/").header("x-user", "mallory").build());
        assertEquals("alice alice", body(response));
        assertEquals("9", response.headers().firstOrNull("x-ratelimit-remaining"));
    }

    @Test
    void filtersFormAnOnionInOrderAdded() {
        List<String> order = new ArrayList<>();
        Filter outer = Filter.named("outer", (ex, r, next) -> {
            order.add("outer in");
            return next.proceed(r.withHeader("x-outer", "1")).thenApply(resp -> {
                order.add("outer out");
                return resp.withHeader("x-outer-seen", resp.headers().firstOrNull("x-inner-seen"));
            });
        });
        Filter inner = Filter.named("inner", (ex, r, next) -> {
            order.add("inner in " + r.headers().firstOrNull("x-outer"));
            return next.proceed(r).thenApply(resp -> {
                order.add("inner out");
                return resp.withHeader("x-inner-seen", "yes");
            });
        });
        Edge edge = Edge.builder().filter(outer)
                .route(Route.named("r").path("/**").filter(inner).to(answer("ok")).build()).build();
        Response response = new EdgeTester(edge, new InMemoryTransport()).send(Request.get("/"));
        assertEquals(List.of("outer in", "inner in 1", "inner out", "outer out"), order);
        assertEquals("yes", response.headers().firstOrNull("x-outer-seen"));
    }

    @Test
    void filterAnswersEarlyWithoutReachingTheTarget() {
        InMemoryTransport transport = new InMemoryTransport().serve("10.0.0.1:80", answer("one"));
        Filter block = (ex, r, next) -> Response.problem(403, "Forbidden", "blocked").completed();
        Edge edge = Edge.builder().route(Route.named("r").path("/**").filter(block).to(API).build()).build();
        assertEquals(403, new EdgeTester(edge, transport).send(Request.get("/")).status());
        assertEquals(0, transport.sent().size());
    }

    @Test
    void throwingFilterIsA500WithoutDetailsLeaking() {
        Filter broken = (ex, r, next) -> {
            throw new IllegalStateException("secret internal state at db01.internal");
        };
        Edge edge = Edge.builder().route(Route.named("r").path("/**").filter(broken).to(answer("x")).build()).build();
        Response response = new EdgeTester(edge, new InMemoryTransport()).send(Request.get("/"));
        assertEquals(500, response.status());
        assertFalse(body(response).contains("db01"));
    }

    @Test
    void aFullOffloadExecutorIs503NotAnError() {
        Filter blocking = (ex, r, next) -> ex.offload(() -> "done").thenCompose(x -> next.proceed(r));
        Edge edge = Edge.builder().route(Route.named("r").path("/**").filter(blocking).to(answer("x")).build()).build();
        Request request = Request.get("/");
        Exchange exchange = edge.runtime().accept(Exchange.builder(request).offloadExecutor(task -> {
            throw new java.util.concurrent.RejectedExecutionException("queue full");
        }), 8080);
        Response response = edge.runtime().handle(exchange, new InMemoryTransport()).toCompletableFuture().join();
        assertEquals(503, response.status());
        assertEquals("1", response.headers().firstOrNull("retry-after"));
        assertTrue(body(response).contains("the edge is busy"));
    }

    @Test
    void connectFailureTriesTheNextEndpoint() {
        InMemoryTransport transport = new InMemoryTransport().refuse("10.0.0.1:80").serve("10.0.0.2:80", answer("two"));
        Edge edge = Edge.builder().route(Route.named("r").path("/**").to(API).build()).build();
        EdgeTester tester = new EdgeTester(edge, transport);
        for (int i = 0; i < 4; i++) {
            Response response = tester.send(Request.get("/x"));
            assertEquals(200, response.status());
            assertEquals("two /x", body(response));
        }
    }

    @Test
    void allEndpointsRefusingIsA502() {
        InMemoryTransport transport = new InMemoryTransport().refuse("10.0.0.1:80").refuse("10.0.0.2:80");
        Edge edge = Edge.builder().route(Route.named("r").path("/**").to(API).build()).build();
        Response response = new EdgeTester(edge, transport).send(Request.get("/x"));
        assertEquals(502, response.status());
        assertEquals(2, transport.sent().size());
        assertTrue(body(response).contains("could not connect to upstream 'api'"));
        assertFalse(body(response).contains("10.0.0"));
    }

    @Test
    void totalTimeoutAnswers504AndCancelsTheAttempt() {
        InMemoryTransport transport = new InMemoryTransport().hang("10.0.0.1:80").hang("10.0.0.2:80");
        Edge edge = Edge.builder().route(Route.named("r").path("/**").to(API)
                .timeouts(Timeouts.DEFAULT.withTotal(Duration.ofSeconds(2))).build()).build();
        EdgeTester tester = new EdgeTester(edge, transport);
        CompletableFuture<Response> pending = tester.start(Request.get("/slow"), "203.0.113.1");
        tester.clock().advance(Duration.ofMillis(1999));
        assertFalse(pending.isDone());
        tester.clock().advance(Duration.ofMillis(1));
        Response response = pending.join();
        assertEquals(504, response.status());
        assertTrue(body(response).contains("the request did not complete within 2000 ms"));
        assertEquals(1, transport.cancelledAttempts());
    }

    @Test
    void bodyOverTheRouteLimitIs413BeforeAnyAttempt() {
        InMemoryTransport transport = new InMemoryTransport().serve("10.0.0.1:80", answer("one"));
        Edge edge = Edge.builder().maxRequestBodyBytes(1000)
                .route(Route.named("small").path("/small").maxRequestBodyBytes(4).to(API).build())
                .route(Route.named("r").path("/**").to(API).build()).build();
        EdgeTester tester = new EdgeTester(edge, transport);
        Response small = tester.send(Request.builder().method("POST").uri("/small").body(Body.of("12345")).build());
        assertEquals(413, small.status());
        assertTrue(body(small).contains("request body exceeds 4 bytes"));
        assertEquals(413, tester.send(Request.builder().method("POST").uri("/x").body(Body.of(new byte[1001]))
                .build()).status());
        assertEquals(0, transport.sent().size());
    }

    @Test
    void routesSwapAtomicallyAndExplainSaysWhatRuns() {
        Edge edge = Edge.builder()
                .policy(Policy.named("auth", (ex, r) -> CompletableFuture.completedFuture(Decision.allow())))
                .filter(Filter.named("log", (ex, r, n) -> n.proceed(r)))
                .route(Route.named("users").path("/users/{id}").filter(Filter.named("cache", (ex, r, n) -> n.proceed(r)))
                        .to(API).build())
                .build();
        Explanation explanation = edge.explain(Request.get("/users/42"));
        assertEquals("users", explanation.routeId().orElseThrow());
        assertEquals(Map.of("id", "42"), explanation.pathParams());
        assertEquals(List.of("auth"), explanation.policies());
        assertEquals(List.of("log", "cache"), explanation.filters());
        assertEquals("upstream 'api' [10.0.0.1:80, 10.0.0.2:80]", explanation.target());
        assertFalse(edge.explain(Request.get("/orders")).matched());

        edge.updateRoutes(List.of(Route.named("orders").path("/orders").to(answer("o")).build()));
        assertEquals("orders", edge.explain(Request.get("/orders")).routeId().orElseThrow());
        assertFalse(edge.explain(Request.get("/users/42")).matched());
    }

    @Test
    void inFlightRequestKeepsTheSnapshotItStartedWith() {
        CompletableFuture<Response> gate = new CompletableFuture<>();
        InMemoryTransport transport = new InMemoryTransport().serve("10.0.0.1:80", (ex, r) -> gate);
        Edge edge = Edge.builder().route(Route.named("old").path("/**").to(API).build()).build();
        EdgeTester tester = new EdgeTester(edge, transport);
        CompletableFuture<Response> pending = tester.start(Request.get("/x"), "203.0.113.1");
        edge.updateRoutes(List.of());
        gate.complete(Response.of(200, "text/plain", "from old route"));
        assertEquals("from old route", body(pending.join()));
        assertEquals(404, tester.send(Request.get("/x")).status());
    }

    @Test
    void upstreamNamedTwiceDifferentlyIsRejected() {
        Upstream other = Upstream.named("api").endpoint("10.9.9.9", 80).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Edge.builder()
                .route(Route.named("a").path("/a").to(API).build())
                .route(Route.named("b").path("/b").to(other).build()).build());
        assertEquals("route 'b': upstream 'api' is defined twice with different endpoints or balancers",
                e.getMessage());
    }

    @Test
    void mirroredCopiesNeverAffectTheClient() {
        Upstream shadow = Upstream.named("shadow").endpoint("10.9.0.1", 80).build();
        InMemoryTransport transport = new InMemoryTransport().serve("10.0.0.1:80", answer("primary"))
                .hang("10.9.0.1:80");
        Edge edge = Edge.builder().route(Route.named("r").path("/**").mirror(shadow, 1.0)
                .to(Upstream.named("p").endpoint("10.0.0.1", 80).build()).build()).build();
        EdgeTester tester = new EdgeTester(edge, transport);
        Response response = tester.send(Request.builder().method("POST").uri("/orders").body(Body.of("{}"))
                .header("x-edgekit-mirror", "forged").build());
        assertEquals("primary /orders", body(response));
        List<InMemoryTransport.Sent> sent = transport.sent();
        assertEquals(2, sent.size());
        InMemoryTransport.Sent copy = sent.stream().filter(s -> s.endpoint().host().equals("10.9.0.1")).findFirst()
                .orElseThrow();
        assertEquals(response.headers().firstOrNull("x-request-id"), copy.request().headers().firstOrNull(
                "x-edgekit-mirror"));
        InMemoryTransport.Sent primary = sent.stream().filter(s -> s.endpoint().host().equals("10.0.0.1"))
                .findFirst().orElseThrow();
        assertFalse(primary.request().headers().contains("x-edgekit-mirror"), "a client cannot mark a copy");
    }

    @Test
    void mirrorSamplesItsFraction() {
        Upstream shadow = Upstream.named("shadow").endpoint("10.9.0.1", 80).build();
        InMemoryTransport transport = new InMemoryTransport().serve("10.0.0.1:80", answer("primary"))
                .refuse("10.9.0.1:80");
        Edge edge = Edge.builder().route(Route.named("r").path("/**").mirror(shadow, 0.25)
                .to(Upstream.named("p").endpoint("10.0.0.1", 80).build()).build()).build();
        EdgeTester tester = new EdgeTester(edge, transport);
        for (int i = 0; i < 400; i++) {
            assertEquals(200, tester.send(Request.get("/x")).status());
        }
        long copies = transport.sent().stream().filter(s -> s.endpoint().host().equals("10.9.0.1")).count();
        assertTrue(copies > 50 && copies < 150, copies + " copies of 400");
    }

    @Test
    void hostRewriteFixedOrFromEndpoint() {
        InMemoryTransport transport = new InMemoryTransport().serve("10.0.0.1:80", answer("one"))
                .serve("10.0.0.2:80", answer("two"));
        Upstream single = Upstream.named("single").endpoint("10.0.0.1", 80).build();
        Edge edge = Edge.builder()
                .route(Route.named("fixed").path("/fixed").upstreamHost("backend.internal").to(single).build())
                .route(Route.named("ep").path("/ep").upstreamHostFromEndpoint().to(single).build())
                .route(Route.named("keep").path("/keep").to(single).build())
                .build();
        EdgeTester tester = new EdgeTester(edge, transport);
        Request base = Request.builder().authority("shop.example.com").uri("/fixed").build();
        tester.send(base);
        tester.send(base.withPath("/ep"));
        tester.send(base.withPath("/keep"));
        List<InMemoryTransport.Sent> sent = transport.sent();
        assertEquals("backend.internal", sent.get(0).request().authority());
        assertEquals("10.0.0.1:80", sent.get(1).request().authority());
        assertEquals("shop.example.com", sent.get(2).request().authority());
        assertEquals("shop.example.com", sent.get(0).request().headers().firstOrNull("x-forwarded-host"));
    }

    @Test
    void aRouteThatCanNeverMatchIsRefusedNamingBoth() {
        Handler ok = (ex, r) -> Response.of(200).completed();
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> Edge.builder()
                .route(Route.named("orders").host("api.example.com").path("/orders/**").methods("GET", "POST").to(ok).build())
                .route(Route.named("orders-v2").host("API.example.com").path("/orders/**").methods("POST", "GET").to(ok)
                        .build())
                .build());
        assertTrue(twice.getMessage().contains("route 'orders-v2' can never match: route 'orders'"), twice.getMessage());
        Edge edge = Edge.builder() // differing by a method, a host or a header condition, both can match
                .route(Route.named("get").path("/orders/**").methods("GET").to(ok).build())
                .route(Route.named("post").path("/orders/**").methods("POST").to(ok).build())
                .route(Route.named("canary").path("/orders/**").methods("GET").header("x-canary", "1").to(ok).build())
                .route(Route.named("other-host").host("b.example.com").path("/orders/**").methods("GET").to(ok).build())
                .build();
        assertThrows(IllegalArgumentException.class, () -> edge.updateRoutes(List.of(
                Route.named("a").path("/x").to(ok).build(), Route.named("b").path("/x").to(ok).build())));
    }

    @Test
    void fieldsOnlyTheEdgeSetsGoInAnyCaseAndUnderscoreSpelling() {
        InMemoryTransport transport = new InMemoryTransport()
                .serve("10.0.0.1:80", (ex, r) -> Response.of(200).completed());
        Policy identify = new Policy() {
            @Override
            public java.util.concurrent.CompletionStage<Decision> evaluate(Exchange exchange, Request request) {
                return Decision.allow().withRequestHeader("X-Auth-Subject", "alice").completed();
            }

            @Override
            public java.util.Set<String> ownedHeaders() {
                return java.util.Set.of("X-Auth-Subject");
            }
        };
        Edge edge = Edge.builder().edgeOnlyHeaders("x-user")
                .route(Route.named("r").path("/**").policy(identify)
                        .to(Upstream.named("u").endpoint("10.0.0.1", 80).build()).build())
                .build();
        new EdgeTester(edge, transport).send(Request.builder().uri("/x")
                .header("X_Auth_Subject", "mallory").header("x-auth-subject", "mallory").header("X_USER", "root")
                .header("X-User", "root").header("X_Forwarded_For", "10.9.9.9").header("X_Request_Id", "forged")
                .header("X_Custom", "kept").build());
        Headers sent = transport.sent().get(0).request().headers();
        assertEquals(List.of("alice"), sent.all("x-auth-subject"), sent.toString());
        assertFalse(sent.contains("x_auth_subject") || sent.contains("x_user") || sent.contains("x-user")
                || sent.contains("x_forwarded_for") || sent.contains("x_request_id"), sent.toString());
        assertEquals("kept", sent.firstOrNull("X_Custom"), "other underscore fields pass by default");
    }

    @Test
    void underscoreFieldsCanBeDroppedOrRefused() {
        for (UnderscoreHeaders action : UnderscoreHeaders.values()) {
            InMemoryTransport transport = new InMemoryTransport()
                    .serve("10.0.0.1:80", (ex, r) -> Response.of(200).completed());
            Edge edge = Edge.builder().headersWithUnderscores(action)
                    .route(Route.named("r").path("/**").to(Upstream.named("u").endpoint("10.0.0.1", 80).build()).build())
                    .build();
            Response response = new EdgeTester(edge, transport).send(Request.builder().uri("/x")
                    .header("X_Custom", "v").header("X-Other", "w").build());
            switch (action) {
                case ALLOW -> assertEquals("v", transport.sent().get(0).request().headers().firstOrNull("x_custom"));
                case DROP -> {
                    assertEquals(200, response.status());
                    assertFalse(transport.sent().get(0).request().headers().contains("x_custom"));
                    assertEquals("w", transport.sent().get(0).request().headers().firstOrNull("x-other"));
                }
                default -> {
                    assertEquals(400, response.status());
                    assertTrue(new String(response.body().aggregate(4096).toCompletableFuture().join(),
                            StandardCharsets.UTF_8).contains("X_Custom (this edge refuses them; write X-Custom)"));
                    assertTrue(transport.sent().isEmpty());
                }
            }
        }
    }
}
