package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.TrustedProxies;
import io.edgekit.core.Upstream;
import io.undertow.util.Headers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ProxyForwardingIT {
    static TestBackend a;
    static TestBackend b;
    static TestBackend hops;
    static EdgeServer server;
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        a = TestBackend.echo("a");
        b = TestBackend.echo("b");
        hops = TestBackend.start("hops", exchange -> {
            exchange.getResponseHeaders().put(Headers.CONNECTION, "X-Internal");
            exchange.getResponseHeaders().put(Headers.KEEP_ALIVE, "timeout=5");
            exchange.getResponseHeaders().put(io.undertow.util.HttpString.tryFromString("X-Internal"), "topology");
            exchange.getResponseHeaders().put(io.undertow.util.HttpString.tryFromString("X-Public"), "fine");
            exchange.getResponseSender().send("hops");
        });
        Upstream api = Upstream.named("api").endpoint("127.0.0.1", a.port()).endpoint("127.0.0.1", b.port()).build();
        Upstream onlyA = Upstream.named("only-a").endpoint("127.0.0.1", a.port()).build();
        Edge edge = Edge.builder()
                .trustedProxies(TrustedProxies.of("10.0.0.0/8"))
                .route(Route.named("api").path("/api/**").to(api).build())
                .route(Route.named("svc").path("/svc/**").stripPrefix().rewritePath("^/v1/(.*)$", "/internal/$1")
                        .upstreamHost("backend.internal").to(onlyA).build())
                .route(Route.named("hops").path("/hops").to(Upstream.named("hops")
                        .endpoint("127.0.0.1", hops.port()).build()).build())
                .route(Route.named("local").path("/local/{name}").to((ex, r) -> Response.of(200, "text/plain",
                        "hello " + ex.routeMatch().orElseThrow().pathParam("name").orElse("?") + " from "
                                + ex.clientIp()).completed()).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(2).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        a.close();
        b.close();
        hops.close();
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void balancesRoundRobinAcrossTwoUpstreams() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = get("/api/whoami");
            assertEquals(200, response.statusCode());
            bodies.add(response.body());
        }
        assertEquals(3, bodies.stream().filter(s -> s.equals("a /api/whoami")).count(), bodies.toString());
        assertEquals(3, bodies.stream().filter(s -> s.equals("b /api/whoami")).count(), bodies.toString());
    }

    @Test
    void answersUnknownPathWith404ProblemCarryingTheRequestId() throws Exception {
        HttpResponse<String> response = get("/nope");
        assertEquals(404, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("content-type").orElse(""));
        String id = response.headers().firstValue("x-request-id").orElseThrow();
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
                + "\"detail\":\"no route matches GET /nope\",\"requestId\":\"" + id + "\"}", response.body());
    }

    @Test
    void forwardsMethodQueryAndBodyAndEchoesRequestId() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/api/echo?x=1&y=%20"))
                .POST(HttpRequest.BodyPublishers.ofString("payload")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("payload", response.body());
        String id = response.headers().firstValue("x-request-id").orElseThrow();
        TestBackend.Seen seen = a.requests.get() > 0 && id.equals(lastSeenId(a)) ? a.lastSeen() : b.lastSeen();
        assertEquals("POST", seen.method());
        assertEquals("/api/echo?x=1&y=%20", seen.uri());
        assertEquals(id, seen.header("x-request-id"));
    }

    private static String lastSeenId(TestBackend backend) {
        TestBackend.Seen seen = backend.lastSeen();
        return seen == null ? null : seen.header("x-request-id");
    }

    @Test
    void stripsPrefixRewritesPathAndHost() throws Exception {
        HttpResponse<String> response = get("/svc/v1/orders?page=2");
        assertEquals("a /internal/orders", response.body());
        TestBackend.Seen seen = a.lastSeen();
        assertEquals("/internal/orders?page=2", seen.uri());
        assertEquals("backend.internal", seen.header("host"));
        assertEquals("127.0.0.1:" + server.port(), seen.header("x-forwarded-host"));
    }

    @Test
    void spoofedForwardingHeadersFromAnUntrustedClientAreReplaced() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/svc/who"))
                .header("X-Forwarded-For", "6.6.6.6")
                .header("X-Forwarded-Proto", "https")
                .header("Forwarded", "for=6.6.6.6")
                .header("X-Request-Id", "spoofed-id").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        TestBackend.Seen seen = a.lastSeen();
        assertEquals("127.0.0.1", seen.header("x-forwarded-for"));
        assertEquals(1, seen.headers().get("x-forwarded-for").size());
        assertEquals("http", seen.header("x-forwarded-proto"));
        assertEquals(String.valueOf(server.port()), seen.header("x-forwarded-port"));
        assertEquals("for=127.0.0.1;proto=http;host=\"127.0.0.1:" + server.port() + "\"", seen.header("forwarded"));
        assertFalse("spoofed-id".equals(seen.header("x-request-id")));
        assertEquals(seen.header("x-request-id"), response.headers().firstValue("x-request-id").orElseThrow());
    }

    @Test
    @Timeout(4) // the edge must close the connection itself: the raw read waits 5 s for a close
    void connectionNamedHeadersAreStrippedBeforeTheUpstream() throws Exception {
        String answer = RawHttp.exchange(server.port(), "GET /svc/secret HTTP/1.1\r\nHost: edge\r\n"
                + "Connection: close, X-Secret\r\nX-Secret: s3cr3t\r\nKeep-Alive: 300\r\nX-Kept: yes\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
        TestBackend.Seen seen = a.lastSeen();
        assertEquals("/secret", seen.uri());
        assertNull(seen.header("x-secret"));
        assertNull(seen.header("keep-alive"));
        assertEquals("yes", seen.header("x-kept"));
    }

    @Test
    void hopByHopResponseHeadersDoNotReachTheClient() throws Exception {
        HttpResponse<String> response = get("/hops");
        assertEquals("hops", response.body());
        assertEquals("fine", response.headers().firstValue("x-public").orElse(null));
        assertTrue(response.headers().firstValue("x-internal").isEmpty());
        assertTrue(response.headers().firstValue("keep-alive").isEmpty());
    }

    @Test
    void inProcessHandlerAnswersWithoutANetworkHop() throws Exception {
        int before = a.requests.get() + b.requests.get();
        HttpResponse<String> response = get("/local/edgekit");
        assertEquals("hello edgekit from 127.0.0.1", response.body());
        assertEquals(before, a.requests.get() + b.requests.get());
    }

    @Test
    void keepAliveConnectionsAreReusedUpstream() throws Exception {
        for (int i = 0; i < 50; i++) {
            assertEquals(200, get("/api/reuse").statusCode());
        }
        int open = server.openUpstreamConnections();
        assertTrue(open <= 8, "open upstream connections: " + open);
        String body = new String(get("/api/x").body().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertTrue(body.endsWith("/api/x"));
    }

    @Test
    void aLeanEdgeSendsXForwardedForAloneAndNoRequestIdField() throws Exception {
        Edge lean = Edge.builder()
                .forwardedFields(io.edgekit.core.ForwardedFields.X_FORWARDED_FOR)
                .requestIdField(false)
                .route(Route.named("api").path("/api/**").to(Upstream.named("api")
                        .endpoint("127.0.0.1", a.port()).build()).build())
                .build();
        EdgeServer leanServer = EdgeServer.builder(lean).listen("127.0.0.1", 0).ioThreads(1)
                .build().start();
        try {
            URI base = URI.create("http://127.0.0.1:" + leanServer.port());
            HttpResponse<String> proxied = client.send(HttpRequest.newBuilder(base.resolve("/api/lean"))
                    .header("X-Forwarded-For", "6.6.6.6")
                    .header("X-Forwarded-Host", "evil.example")
                    .header("Forwarded", "for=6.6.6.6")
                    .header("X-Request-Id", "spoofed-id").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, proxied.statusCode());
            TestBackend.Seen seen = a.lastSeen();
            assertEquals("127.0.0.1", seen.header("x-forwarded-for"));
            for (String name : new String[] {"x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
                    "forwarded", "x-request-id"}) {
                assertNull(seen.header(name), name);
            }
            assertTrue(proxied.headers().firstValue("x-request-id").isEmpty());

            // the edge's own problems still carry an id in their body, and no field
            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(base.resolve("/nowhere")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
            assertTrue(missing.headers().firstValue("x-request-id").isEmpty());
            assertTrue(missing.body().matches("(?s).*\"requestId\":\"[0-9a-f]{32}\".*"), missing.body());
            String refused = RawHttp.exchange(leanServer.port(), // a head the edge refuses itself
                    "GET /api/x HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n folded\r\n\r\n");
            assertTrue(refused.startsWith("HTTP/1.1 400"), refused);
            assertFalse(refused.toLowerCase(java.util.Locale.ROOT).contains("x-request-id:"), refused);
            assertTrue(refused.matches("(?s).*\"requestId\":\"[0-9a-f]{32}\".*"), refused);
        } finally {
            leanServer.shutdown(Duration.ofSeconds(1));
        }
        // over the per-client connection limit: refused before any request is read, without the field too
        EdgeServer oneEach = EdgeServer.builder(lean).listen("127.0.0.1", 0).ioThreads(1)
                .maxConnectionsPerClient(1).build().start();
        try (java.net.Socket first = new java.net.Socket("127.0.0.1", oneEach.port())) {
            first.setSoTimeout(5000);
            first.getOutputStream().write("GET /api/held HTTP/1.1\r\nHost: h\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.readHead(first.getInputStream()); // answered, and the connection stays open: counted
            String over = RawHttp.exchange(oneEach.port(), "GET /api/x HTTP/1.1\r\nHost: h\r\n\r\n");
            assertTrue(over.startsWith("HTTP/1.1 429"), over);
            assertFalse(over.toLowerCase(java.util.Locale.ROOT).contains("x-request-id:"), over);
            assertTrue(over.matches("(?s).*\"requestId\":\"[0-9a-f]{32}\".*"), over);
        } finally {
            oneEach.shutdown(Duration.ofSeconds(1));
        }
    }
}
