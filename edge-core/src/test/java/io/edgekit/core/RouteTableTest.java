package io.edgekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private static final Handler OK = (ex, r) -> Response.of(200).completed();

    private static Route.Builder route(String id) {
        return Route.named(id).to(OK);
    }

    private static String matchId(RouteTable table, Request request) {
        return table.match(request).map(m -> m.route().id()).orElse("none");
    }

    private static Request get(String host, String uri) {
        return Request.builder().authority(host).uri(uri).build();
    }

    @Test
    void exactPathBeatsTemplateBeatsPrefixBeatsRegex() {
        RouteTable table = RouteTable.compile(List.of(
                route("regex").pathRegex("/users/.*").build(),
                route("prefix").path("/users/**").build(),
                route("template").path("/users/{id}").build(),
                route("exact").path("/users/me").build()));
        assertEquals("exact", matchId(table, Request.get("/users/me")));
        assertEquals("template", matchId(table, Request.get("/users/42")));
        assertEquals("prefix", matchId(table, Request.get("/users/42/orders")));
        assertEquals("prefix", matchId(table, Request.get("/users")));
        assertEquals("none", matchId(table, Request.get("/usersx")));
    }

    @Test
    void prefixMatchesWholeSegmentsAndLongestWins() {
        RouteTable table = RouteTable.compile(List.of(
                route("root").path("/**").build(),
                route("api").path("/api/**").build(),
                route("v2").path("/api/v2/**").build()));
        assertEquals("api", matchId(table, Request.get("/api")));
        assertEquals("api", matchId(table, Request.get("/api/")));
        assertEquals("api", matchId(table, Request.get("/api/v1/x")));
        assertEquals("v2", matchId(table, Request.get("/api/v2/x?y=1")));
        assertEquals("root", matchId(table, Request.get("/apis")));
        assertEquals("root", matchId(table, Request.get("/")));
    }

    @Test
    void templateExtractsParamsAndPrefersLiteralSegments() {
        RouteTable table = RouteTable.compile(List.of(
                route("param").path("/users/{id}/orders/{order}").build(),
                route("literal").path("/users/{id}/orders/latest").build()));
        RouteMatch match = table.match(Request.get("/users/7/orders/99")).orElseThrow();
        assertEquals("param", match.route().id());
        assertEquals(Map.of("id", "7", "order", "99"), match.pathParams());
        assertEquals("literal", matchId(table, Request.get("/users/7/orders/latest")));
        assertEquals("none", matchId(table, Request.get("/users//orders/1")));
    }

    @Test
    void templateBacktracksWhenLiteralBranchDeadEnds() {
        RouteTable table = RouteTable.compile(List.of(
                route("literal").path("/a/b/c").build(),
                route("param").path("/a/{x}/d").build()));
        assertEquals("param", matchId(table, Request.get("/a/b/d")));
    }

    @Test
    void prefixWithParameters() {
        RouteTable table = RouteTable.compile(List.of(route("files").path("/users/{id}/files/**").build()));
        RouteMatch match = table.match(Request.get("/users/5/files/a/b.txt")).orElseThrow();
        assertEquals(Map.of("id", "5"), match.pathParams());
    }

    @Test
    void exactHostBeatsWildcardBeatsAnyHost() {
        RouteTable table = RouteTable.compile(List.of(
                route("any").path("/**").build(),
                route("wild").host("*.example.com").path("/**").build(),
                route("deeper").host("*.eu.example.com").path("/**").build(),
                route("exact").host("api.example.com").path("/**").build()));
        assertEquals("exact", matchId(table, get("API.example.com:8443", "/x")));
        assertEquals("wild", matchId(table, get("web.example.com", "/x")));
        assertEquals("deeper", matchId(table, get("a.eu.example.com", "/x")));
        assertEquals("any", matchId(table, get("example.com", "/x")));
        assertEquals("any", matchId(table, get("other.org", "/x")));
    }

    @Test
    void hostLevelFallsThroughWhenItsPathsDoNotMatch() {
        RouteTable table = RouteTable.compile(List.of(
                route("host-admin").host("api.example.com").path("/admin/**").build(),
                route("any-api").path("/api/**").build()));
        assertEquals("any-api", matchId(table, get("api.example.com", "/api/x")));
    }

    @Test
    void methodHeaderAndQueryConditionsNarrowAndMoreConditionsAreTriedFirst() {
        RouteTable table = RouteTable.compile(List.of(
                route("plain").path("/items").build(),
                route("get").path("/items").methods("GET").build(),
                route("get-v2").path("/items").methods("GET").header("x-version", "2").build(),
                route("get-q").path("/items").methods("GET").query("debug", "yes please").build(),
                route("canary").path("/items").headerRegex("x-canary", "t(rue)?").build()));
        assertEquals("get", matchId(table, Request.get("/items")));
        assertEquals("plain", matchId(table, Request.of("POST", "/items")));
        assertEquals("get-v2", matchId(table,
                Request.builder().uri("/items").header("X-Version", "2").build()));
        assertEquals("get-q", matchId(table, Request.get("/items?a=1&debug=yes+please")));
        assertEquals("canary", matchId(table,
                Request.builder().method("PUT").uri("/items").header("x-canary", "t").build()));
    }

    @Test
    void equalSpecificityKeepsDeclarationOrder() {
        RouteTable table = RouteTable.compile(List.of(
                route("first").path("/x").build(),
                route("second").path("/x").build()));
        assertEquals("first", matchId(table, Request.get("/x")));
    }

    @Test
    void regexRoutesAreTriedInOrderAfterEverythingElse() {
        RouteTable table = RouteTable.compile(List.of(
                route("v-any").pathRegex("/v[0-9]+/.*").build(),
                route("v1").pathRegex("/v1/.*").build()));
        assertEquals("v-any", matchId(table, Request.get("/v1/x")));
        assertEquals("none", matchId(table, Request.get("/x/v1/y")));
    }

    @Test
    void rejectsDuplicateRouteIds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RouteTable.compile(
                List.of(route("a").path("/a").build(), route("a").path("/b").build())));
        assertEquals("route 'a': id used by two routes", e.getMessage());
    }

    @Test
    void rejectsBadPatternsWithTheRouteNamed() {
        assertEquals("route 'r': path: \"/a/{id\" has segment \"{id\" (expected: {name} as a whole segment, "
                + "name of letters, digits and _)",
                assertThrows(IllegalArgumentException.class, () -> route("r").path("/a/{id")).getMessage());
        assertEquals("route 'r': path: \"api\" (expected: starts with /)",
                assertThrows(IllegalArgumentException.class, () -> route("r").path("api")).getMessage());
        assertEquals("route 'r': path: \"/a/**/b\" (expected: ** only as the last segment)",
                assertThrows(IllegalArgumentException.class, () -> route("r").path("/a/**/b")).getMessage());
        assertEquals("route 'r': no target; call to(...) before build()",
                assertThrows(IllegalStateException.class, () -> Route.named("r").path("/a").build()).getMessage());
        assertEquals("route 'r': stripPrefix() needs a /prefix/** path, not /a",
                assertThrows(IllegalStateException.class, () -> route("r").path("/a").stripPrefix().build())
                        .getMessage());
    }

    @Test
    void tenThousandRoutesAllFindTheirOwnRoute() {
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            switch (i % 4) {
                case 0 -> routes.add(route("r" + i).path("/svc" + i + "/items").build());
                case 1 -> routes.add(route("r" + i).path("/svc" + i + "/items/{id}").build());
                case 2 -> routes.add(route("r" + i).path("/svc" + i + "/**").build());
                default -> routes.add(route("r" + i).host("h" + i + ".example.com").path("/**").build());
            }
        }
        RouteTable table = RouteTable.compile(routes);
        for (int i = 0; i < 10_000; i++) {
            Request request = switch (i % 4) {
                case 0 -> Request.get("/svc" + i + "/items");
                case 1 -> Request.get("/svc" + i + "/items/7");
                case 2 -> Request.get("/svc" + i + "/deep/path");
                default -> get("h" + i + ".example.com", "/anything");
            };
            assertEquals("r" + i, matchId(table, request));
        }
        assertEquals(Optional.empty(), table.match(Request.get("/nothing/here")));
        assertTrue(table.route("r9999").isPresent());
    }
}
