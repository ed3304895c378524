package io.edgekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import org.junit.jupiter.api.Test;

class ForwardingTest {
    private static final Request SPOOFED = Request.builder().authority("shop.example.com").uri("/x")
            .header("X-Forwarded-For", "1.2.3.4")
            .header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-Host", "evil.example")
            .header("Forwarded", "for=1.2.3.4")
            .header("X-Real-IP", "1.2.3.4")
            .header("X-Request-Id", "abc-123")
            .build();

    private static Edge edge(TrustedProxies trusted) {
        return Edge.builder().trustedProxies(trusted)
                .route(Route.named("r").path("/**").to((ex, r) -> Response.of(200).completed()).build()).build();
    }

    @Test
    void untrustedPeerHasItsForwardingHeadersReplacedNotAppended() {
        EdgeTester tester = new EdgeTester(edge(TrustedProxies.of("10.0.0.0/8")), new InMemoryTransport());
        Exchange exchange = tester.exchange(SPOOFED, "203.0.113.9");
        Headers headers = exchange.request().headers();
        assertEquals("203.0.113.9", exchange.clientIp());
        assertEquals("203.0.113.9", headers.firstOrNull("x-forwarded-for"));
        assertEquals("http", headers.firstOrNull("x-forwarded-proto"));
        assertEquals("shop.example.com", headers.firstOrNull("x-forwarded-host"));
        assertEquals("8080", headers.firstOrNull("x-forwarded-port"));
        assertEquals("for=203.0.113.9;proto=http;host=shop.example.com", headers.firstOrNull("forwarded"));
        assertNull(headers.firstOrNull("x-real-ip"));
        assertEquals(1, headers.count("x-forwarded-for"));
        assertFalse(exchange.requestId().equals("abc-123"));
        assertEquals(exchange.requestId(), headers.firstOrNull("x-request-id"));
        assertEquals(32, exchange.requestId().length());
    }

    @Test
    void trustedProxyChainIsAppendedAndClientIsFirstUntrustedHop() {
        EdgeTester tester = new EdgeTester(edge(TrustedProxies.of("10.0.0.0/8", "192.0.2.1")), new InMemoryTransport());
        Request request = SPOOFED.withHeaders(SPOOFED.headers().with("X-Forwarded-For", "198.51.100.7, 192.0.2.1"));
        Exchange exchange = tester.exchange(request, "10.1.2.3");
        Headers headers = exchange.request().headers();
        assertEquals("198.51.100.7", exchange.clientIp());
        assertEquals("198.51.100.7, 192.0.2.1, 10.1.2.3", headers.firstOrNull("x-forwarded-for"));
        assertEquals("https", headers.firstOrNull("x-forwarded-proto"));
        assertEquals("evil.example", headers.firstOrNull("x-forwarded-host"));
        assertEquals("for=1.2.3.4, for=10.1.2.3;proto=http;host=shop.example.com", headers.firstOrNull("forwarded"));
        assertEquals("abc-123", exchange.requestId());
    }

    @Test
    void garbageInTheChainStopsTheWalk() {
        EdgeTester tester = new EdgeTester(edge(TrustedProxies.of("10.0.0.0/8")), new InMemoryTransport());
        Request request = SPOOFED.withHeaders(Headers.of("X-Forwarded-For", "evil.example.com, 10.0.0.5"));
        assertEquals("10.0.0.5", tester.exchange(request, "10.1.2.3").clientIp());
    }

    @Test
    void invalidRequestIdFromTrustedProxyIsReplaced() {
        EdgeTester tester = new EdgeTester(edge(TrustedProxies.of("10.0.0.0/8")), new InMemoryTransport());
        Request request = Request.builder().uri("/").header("x-request-id", "bad id\u0007").build();
        String id = tester.exchange(request, "10.0.0.1").requestId();
        // the edge's own id instead: 32 hex digits (which may well hold "bad": a-f are hex digits too)
        assertTrue(id.matches("[0-9a-f]{32}"), id);
    }

    @Test
    void hopByHopAndConnectionNamedFieldsAreDropped() {
        EdgeTester tester = new EdgeTester(edge(TrustedProxies.none()), new InMemoryTransport());
        Request request = Request.builder().uri("/")
                .header("Connection", "close, X-Secret")
                .header("X-Secret", "s3cr3t")
                .header("Keep-Alive", "timeout=5")
                .header("TE", "trailers")
                .header("Upgrade", "h2c")
                .header("Proxy-Authorization", "Basic Zm9v")
                .header("Transfer-Encoding", "chunked")
                .header("X-Kept", "yes")
                .build();
        Headers headers = tester.exchange(request, "203.0.113.1").request().headers();
        for (String name : new String[] {"connection", "x-secret", "keep-alive", "te", "upgrade",
                "proxy-authorization", "transfer-encoding"}) {
            assertFalse(headers.contains(name), name);
        }
        assertEquals("yes", headers.firstOrNull("x-kept"));
    }

    @Test
    void ipv6PeerIsQuotedInForwarded() {
        EdgeTester tester = new EdgeTester(edge(TrustedProxies.none()), new InMemoryTransport());
        Headers headers = tester.exchange(Request.builder().authority("h").uri("/").build(), "2001:db8::1")
                .request().headers();
        assertTrue(headers.firstOrNull("forwarded").startsWith("for=\"[2001:db8:0:0:0:0:0:1]\""),
                headers.firstOrNull("forwarded"));
    }

    @Test
    void trustedProxiesParseAndMatch() throws Exception {
        TrustedProxies trusted = TrustedProxies.of("10.0.0.0/8", "2001:db8::/32", "192.0.2.7");
        assertTrue(trusted.contains(java.net.InetAddress.getByName("10.255.0.1")));
        assertFalse(trusted.contains(java.net.InetAddress.getByName("11.0.0.1")));
        assertTrue(trusted.contains(java.net.InetAddress.getByName("2001:db8:ffff::1")));
        assertTrue(trusted.contains(java.net.InetAddress.getByName("192.0.2.7")));
        assertFalse(trusted.contains(java.net.InetAddress.getByName("192.0.2.8")));
        assertEquals("cidr: \"10.0.0.0/33\" (expected: prefix length 0-32)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> TrustedProxies.of("10.0.0.0/33")).getMessage());
        assertEquals("cidr: \"example.com\" (expected: an IP address or block)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> TrustedProxies.of("example.com")).getMessage());
    }

    @Test
    void requestsInARowFromOtherPeersAndHostsGetTheirOwnHop() {
        // what the hop adds is kept from one request to the next on a thread: it must follow each change
        EdgeTester tester = new EdgeTester(edge(TrustedProxies.none()), new InMemoryTransport());
        String[][] cases = {
            {"203.0.113.9", "shop.example.com", "203.0.113.9", "for=203.0.113.9;proto=http;host=shop.example.com"},
            {"203.0.113.10", "shop.example.com", "203.0.113.10", "for=203.0.113.10;proto=http;host=shop.example.com"},
            {"203.0.113.10", "api.example.com:8443", "203.0.113.10",
                "for=203.0.113.10;proto=http;host=\"api.example.com:8443\""},
            {"2001:db8::1", "api.example.com:8443", "2001:db8:0:0:0:0:0:1",
                "for=\"[2001:db8:0:0:0:0:0:1]\";proto=http;host=\"api.example.com:8443\""},
            {"fe80::1%1", "a.example", "fe80:0:0:0:0:0:0:1%1", null},
            {"fe80::1%2", "a.example", "fe80:0:0:0:0:0:0:1%2", null},
            {"203.0.113.9", "shop.example.com", "203.0.113.9", "for=203.0.113.9;proto=http;host=shop.example.com"},
        };
        for (String[] c : cases) {
            Request request = Request.builder().authority(c[1]).uri("/x").build();
            Headers headers = tester.exchange(request, c[0]).request().headers();
            assertEquals(c[2], headers.firstOrNull("x-forwarded-for"), c[0]);
            assertEquals(c[1], headers.firstOrNull("x-forwarded-host"), c[0]);
            if (c[3] != null) {
                assertEquals(c[3], headers.firstOrNull("forwarded"), c[0]);
            }
        }
    }

    private static final String[] HOP_FIELDS = {"x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
        "forwarded"};

    @Test
    void xForwardedForAloneIsAddedAndSpoofedFieldsAreStillRemoved() {
        Edge edge = Edge.builder().trustedProxies(TrustedProxies.of("10.0.0.0/8"))
                .forwardedFields(ForwardedFields.X_FORWARDED_FOR)
                .route(Route.named("r").path("/**").to((ex, r) -> Response.of(200).completed()).build()).build();
        EdgeTester tester = new EdgeTester(edge, new InMemoryTransport());
        Headers headers = tester.exchange(SPOOFED, "203.0.113.9").request().headers();
        assertEquals("203.0.113.9", headers.firstOrNull("x-forwarded-for"));
        assertEquals(1, headers.count("x-forwarded-for"));
        for (String name : HOP_FIELDS) {
            assertFalse(headers.contains(name), name); // neither the client's nor the edge's
        }
        assertNull(headers.firstOrNull("x-real-ip"));
        // a trusted proxy's chain is still appended to
        Request chained = SPOOFED.withHeaders(SPOOFED.headers().with("X-Forwarded-For", "198.51.100.7"));
        Exchange exchange = tester.exchange(chained, "10.1.2.3");
        assertEquals("198.51.100.7, 10.1.2.3", exchange.request().headers().firstOrNull("x-forwarded-for"));
        assertEquals("198.51.100.7", exchange.clientIp());
    }

    @Test
    void xForwardedLeavesOutForwarded() {
        Edge edge = Edge.builder().forwardedFields(ForwardedFields.X_FORWARDED)
                .route(Route.named("r").path("/**").to((ex, r) -> Response.of(200).completed()).build()).build();
        Headers headers = new EdgeTester(edge, new InMemoryTransport()).exchange(SPOOFED, "203.0.113.9")
                .request().headers();
        assertEquals("203.0.113.9", headers.firstOrNull("x-forwarded-for"));
        assertEquals("http", headers.firstOrNull("x-forwarded-proto"));
        assertEquals("shop.example.com", headers.firstOrNull("x-forwarded-host"));
        assertEquals("8080", headers.firstOrNull("x-forwarded-port"));
        assertFalse(headers.contains("forwarded"));
    }

    @Test
    void withoutTheRequestIdFieldNoIdTravelsAndTheEdgesProblemsStillHaveOne() {
        InMemoryTransport transport = new InMemoryTransport().serve("10.0.0.1:80", (ex, r) -> Response.of(204).completed());
        Edge edge = Edge.builder().trustedProxies(TrustedProxies.of("10.0.0.0/8")).requestIdField(false)
                .route(Route.named("r").path("/api/**").to(Upstream.named("u").endpoint("10.0.0.1", 80).build())
                        .build())
                .build();
        EdgeTester tester = new EdgeTester(edge, transport);
        Response proxied = tester.start(SPOOFED.withPath("/api/x"), "203.0.113.9").join();
        assertEquals(204, proxied.status());
        assertFalse(proxied.headers().contains("x-request-id"));
        assertFalse(transport.sent().get(0).request().headers().contains("x-request-id")); // the client's removed
        Response problem = tester.start(SPOOFED.withPath("/nowhere"), "203.0.113.9").join();
        assertEquals(404, problem.status());
        assertFalse(problem.headers().contains("x-request-id"));
        String body = new String(problem.body().aggregate(1 << 16).toCompletableFuture().join(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(body.matches("(?s).*\"requestId\":\"[0-9a-f]{32}\".*"), body);
        // a trusted proxy's id is still the exchange's, for the edge's own problems and logs, but not sent on
        Exchange fromProxy = tester.exchange(SPOOFED, "10.1.2.3");
        assertEquals("abc-123", fromProxy.requestId());
        assertFalse(fromProxy.request().headers().contains("x-request-id"));
    }

    @Test
    void anExchangeWithoutAnIdMakesOneOnceWhenAsked() {
        Exchange exchange = Exchange.of(Request.builder().uri("/").build());
        String id = exchange.requestId();
        assertTrue(id.matches("[0-9a-f]{32}"), id);
        assertEquals(id, exchange.requestId());
    }
}
