package io.edgekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Decorators around routing and policies, route-group policies, denials that keep headers, splits. */
@Timeout(20)
class EdgeOrderTest {
    private static final Handler OK = (ex, r) -> Response.of(200, "text/plain", "ok").completed();
    private static final Policy DENY = Policy.named("deny", (ex, r) -> Decision.deny(401, "Unauthorized", "no").completed());

    @Test
    void aDecoratorAnswersAPreflightBeforeAPolicyDeniesIt() {
        Filter preflight = (ex, r, next) -> r.method().equals("OPTIONS")
                ? Response.of(204).withHeader("access-control-allow-origin", "*").completed()
                : next.proceed(r);
        Edge edge = Edge.builder().decorator(preflight)
                .route(Route.named("api").path("/api").policy(DENY).to(OK).build()).build();
        EdgeTester tester = new EdgeTester(edge, new InMemoryTransport());
        assertEquals(204, tester.send(Request.of("OPTIONS", "/api")).status());
        assertEquals(401, tester.send(Request.get("/api")).status());
    }

    @Test
    void decoratorsWrapTheEdgesOwnAnswersInOrder() {
        List<String> seen = new ArrayList<>();
        Filter outer = (ex, r, next) -> next.proceed(r).thenApply(resp -> {
            seen.add("outer " + resp.status());
            return resp.withHeader("x-outer", "1");
        });
        Filter inner = (ex, r, next) -> next.proceed(r).thenApply(resp -> {
            seen.add("inner " + resp.status());
            return resp;
        });
        Edge edge = Edge.builder().decorator(outer).decorator(inner).build();
        Response response = new EdgeTester(edge, new InMemoryTransport()).send(Request.get("/none"));
        assertEquals(404, response.status());
        assertEquals("1", response.headers().firstOrNull("x-outer"));
        assertEquals(List.of("inner 404", "outer 404"), seen);
    }

    @Test
    void aDenialKeepsTheResponseHeadersEarlierAllowsAdded() {
        Policy vary = (ex, r) -> Decision.allow().withResponseHeader("vary", "origin").completed();
        Edge edge = Edge.builder().policy(vary).route(Route.named("a").path("/a").policy(DENY).to(OK).build()).build();
        Response response = new EdgeTester(edge, new InMemoryTransport()).send(Request.get("/a"));
        assertEquals(401, response.status());
        assertEquals("origin", response.headers().firstOrNull("vary"));
    }

    @Test
    void aGroupsPoliciesRunForEveryRouteUnderItsPrefixBetweenEdgeAndRoutePolicies() {
        List<String> order = new ArrayList<>();
        Policy edgeWide = Policy.named("edge", (ex, r) -> {
            order.add("edge");
            return Decision.allow().completed();
        });
        Policy group = Policy.named("group", (ex, r) -> {
            order.add("group");
            return Decision.allow().completed();
        });
        Policy own = Policy.named("own", (ex, r) -> {
            order.add("own");
            return Decision.allow().completed();
        });
        Edge edge = Edge.builder().policy(edgeWide)
                .group(RouteGroup.prefix("/api").policy(group).build())
                .route(Route.named("orders").path("/api/orders/**").policy(own).to(OK).build())
                .route(Route.named("exact").path("/api").to(OK).build())
                .route(Route.named("apis").path("/apis").to(OK).build())
                .build();
        EdgeTester tester = new EdgeTester(edge, new InMemoryTransport());
        tester.send(Request.get("/api/orders/7"));
        assertEquals(List.of("edge", "group", "own"), order);
        assertEquals(List.of("edge", "group"), edge.explain(Request.get("/api")).policies());
        assertEquals(List.of("edge"), edge.explain(Request.get("/apis")).policies());
    }

    @Test
    void aSplitSendsEachSideItsShareAndAStickyKeyKeepsAClientOnOneSide() {
        Upstream v1 = Upstream.named("v1").endpoint("10.0.1.1", 80).build();
        Upstream v2 = Upstream.named("v2").endpoint("10.0.2.1", 80).build();
        InMemoryTransport transport = new InMemoryTransport()
                .serve("10.0.1.1:80", (ex, r) -> Response.of(200, "text/plain", "v1").completed())
                .serve("10.0.2.1:80", (ex, r) -> Response.of(200, "text/plain", "v2").completed());
        Split split = Split.builder().to(v1, 90).to(v2, 10).stickyBy(Split.Key.header("x-user")).build();
        Edge edge = Edge.builder().route(Route.named("canary").path("/**").to(split).build()).build();
        EdgeTester tester = new EdgeTester(edge, transport);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            counts.merge(EdgeTest.body(tester.send(Request.get("/"))), 1, Integer::sum);
        }
        int canary = counts.getOrDefault("v2", 0);
        assertTrue(canary > 120 && canary < 290, "v2 got " + canary + " of 2000"); // 10 %, binomial bounds
        Map<String, String> sideOf = new HashMap<>();
        int onCanary = 0;
        for (int user = 0; user < 500; user++) {
            String first = null;
            for (int i = 0; i < 3; i++) {
                String side = EdgeTest.body(tester.send(Request.get("/").withHeader("x-user", "user-" + user)));
                if (first == null) {
                    first = side;
                } else {
                    assertEquals(first, side, "user-" + user + " moved");
                }
            }
            sideOf.put("user-" + user, first);
            onCanary += first.equals("v2") ? 1 : 0;
        }
        assertTrue(onCanary > 20 && onCanary < 90, onCanary + " of 500 users on v2");
        assertEquals("split[v1 90, v2 10, sticky]", edge.explain(Request.get("/")).target());
    }

    @Test
    void anotherRouterCanBePluggedInAndARouteItWasNotGivenIsA500() {
        Router.Factory byHeader = (routes, options) -> request -> routes.stream()
                .filter(r -> r.id().equals(request.headers().firstOrNull("x-route")))
                .findFirst().map(r -> new RouteMatch(r, Map.of()));
        Route a = Route.named("a").path("/a").to((ex, r) -> Response.of(200, "text/plain", "a").completed()).build();
        Route b = Route.named("b").path("/b").to((ex, r) -> Response.of(200, "text/plain", "b").completed()).build();
        Edge edge = Edge.builder().router(byHeader).route(a).route(b).build();
        EdgeTester tester = new EdgeTester(edge, new InMemoryTransport());
        assertEquals("b", EdgeTest.body(tester.send(Request.get("/a").withHeader("x-route", "b"))));
        assertEquals(404, tester.send(Request.get("/a")).status());
        Route stranger = Route.named("x").path("/x").to(OK).build();
        Edge broken = Edge.builder().router((routes, options) -> request -> Optional.of(new RouteMatch(stranger,
                Map.of()))).route(a).build();
        assertEquals(500, new EdgeTester(broken, new InMemoryTransport()).send(Request.get("/a")).status());
    }
}
