package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Decision;
import io.edgekit.core.Edge;
import io.edgekit.core.PathOptions;
import io.edgekit.core.Policy;
import io.edgekit.core.Route;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Upstream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile bytes over raw sockets: no spelling of a protected path gets past its policy, no request is
 * smuggled, no header the edge owns can be forged, and every limit answers with its status.
 */
@Timeout(60)
class HostileInputIT {
    /** The test policy for /admin/**: header x-admin-key is required; the edge then says who it is. */
    static final Policy ADMIN_KEY = Policy.named("adminKey", (exchange, request) ->
            CompletableFuture.completedFuture(request.headers().contains("x-admin-key")
                    ? Decision.allow().withRequestHeader("x-user", "admin")
                    : Decision.deny(403, "Forbidden", "x-admin-key is required")));

    static TestBackend backend;
    static EdgeServer server;
    static EdgeServer caseInsensitive;

    @BeforeAll
    static void start() {
        backend = TestBackend.start("backend", exchange -> {
            exchange.getResponseHeaders().put(io.undertow.util.Headers.SERVER, "Apache/2.4.1 (internal-42)");
            exchange.getResponseHeaders().put(io.undertow.util.HttpString.tryFromString("X-Powered-By"), "PHP/5");
            TestBackend.drain(exchange.getInputStream());
            exchange.getResponseSender().send("ok " + exchange.getRequestURI());
        });
        server = edge(PathOptions.DEFAULT);
        caseInsensitive = edge(PathOptions.DEFAULT.withCaseInsensitive(true));
    }

    static EdgeServer edge(PathOptions paths) {
        Upstream upstream = Upstream.named("backend").endpoint("127.0.0.1", backend.port()).build();
        Edge edge = Edge.builder()
                .paths(paths)
                .edgeOnlyHeaders("x-user")
                .filter(ProxyFilters.hideTopology())
                .timeouts(Timeouts.DEFAULT.withIdle(Duration.ofMillis(500)))
                .route(Route.named("admin").path("/admin/**").policy(ADMIN_KEY).to(upstream).build())
                .route(Route.named("small").path("/small/**").maxRequestBodyBytes(64 * 1024).to(upstream).build())
                .route(Route.named("public").path("/**").to(upstream).build())
                .build();
        return EdgeServer.builder(edge).listen("127.0.0.1", 0)
                .allowedHosts("edge.test", "*.edge.test")
                .maxHeaders(20).maxHeaderBytes(2048).maxUrlLength(256)
                .maxConnectionsPerClient(200)
                .build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        caseInsensitive.shutdown(Duration.ofSeconds(1));
        backend.close();
    }

    @BeforeEach
    void forget() {
        backend.seen.clear();
    }

    private static String get(EdgeServer edge, String target, String... headers) throws Exception {
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: edge.test\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return RawHttp.exchange(edge.port(), request.append("Connection: close\r\n\r\n").toString());
    }

    private static int status(String answer) {
        return answer.length() < 12 ? 0 : Integer.parseInt(answer.substring(9, 12));
    }

    private static List<String> upstreamPaths() {
        List<String> paths = new ArrayList<>();
        backend.seen.forEach(s -> paths.add(s.uri()));
        return paths;
    }

    private static void assertNoAdminReachedUpstream() {
        for (TestBackend.Seen seen : backend.seen) {
            if (seen.uri().toLowerCase(Locale.ROOT).startsWith("/admin")) {
                assertEquals("admin", seen.header("x-user"), "reached upstream without the policy: " + seen.uri());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/admin", "/admin/", "/admin/x", "/admin/../admin", "/%61dmin", "/%61%64%6d%69%6e/x",
        "//admin", "///admin/x", "/admin;x", "/admin;jsessionid=1/x", "/./admin", "/public/../admin",
        "/public/%2e%2e/admin", "/%2e%2e/admin", "/.%2e/admin/x", "/public/..%2fadmin", "/admin%2f",
        "/public%5c..%5cadmin", "/admin%00", "/public/..;/admin", "/x/../../admin"})
    void noSpellingOfAdminReachesTheUpstreamWithoutThePolicy(String target) throws Exception {
        String answer = get(server, target);
        int status = status(answer);
        assertTrue(status == 403 || status == 400, target + " -> " + answer);
        assertTrue(answer.contains("application/problem+json"), answer);
        assertNoAdminReachedUpstream();
        assertEquals(List.of(), upstreamPaths(), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ADMIN", "/Admin/x", "/%41DMIN", "/aDmIn;x/../AdMiN"})
    void caseGamesFailWhenPathsAreCaseInsensitive(String target) throws Exception {
        String answer = get(caseInsensitive, target);
        assertEquals(403, status(answer), target + " -> " + answer);
        assertEquals(List.of(), upstreamPaths(), target);
    }

    @Test
    void theCanonicalPathIsWhatTheUpstreamReceives() throws Exception {
        String answer = get(server, "/admin/./reports/../%72eports;v=1//q3", "x-admin-key: k");
        assertEquals(200, status(answer), answer);
        assertEquals(List.of("/admin/reports/q3"), upstreamPaths());
    }

    @Test
    void edgeOnlyAndRoutingOverrideHeadersFromClientsNeverArrive() throws Exception {
        String answer = get(server, "/public/x", "X-User: root", "X-Original-URL: /admin/x",
                "X-Rewrite-URL: /admin/x", "X-HTTP-Method-Override: DELETE");
        assertEquals(200, status(answer), answer);
        TestBackend.Seen seen = backend.lastSeen();
        assertNull(seen.header("x-user"));
        assertNull(seen.header("x-original-url"));
        assertNull(seen.header("x-rewrite-url"));
        assertNull(seen.header("x-http-method-override"));
        assertEquals("GET", seen.method());
    }

    @Test
    void connectionHeaderCannotStripWhatTheEdgeSets() throws Exception {
        String answer = RawHttp.exchange(server.port(), "GET /admin/x HTTP/1.1\r\nHost: edge.test\r\n"
                + "x-admin-key: k\r\nConnection: close, X-Forwarded-For, X-Request-Id, X-User, Forwarded\r\n\r\n");
        assertEquals(200, status(answer), answer);
        TestBackend.Seen seen = backend.lastSeen();
        assertEquals("127.0.0.1", seen.header("x-forwarded-for"));
        assertTrue(seen.header("forwarded").startsWith("for=127.0.0.1"));
        assertEquals(32, seen.header("x-request-id").length());
        assertEquals("admin", seen.header("x-user"));
    }

    @Test
    void topologyRevealingResponseHeadersAreHidden() throws Exception {
        String answer = get(server, "/public/x").toLowerCase(Locale.ROOT);
        assertEquals(200, status(answer), answer);
        assertFalse(answer.contains("apache"), answer);
        assertFalse(answer.contains("x-powered-by"), answer);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // CL.TE: a front end that believes Content-Length forwards the smuggled request inside the body
        "POST /public HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 48\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        // TE.CL with an obfuscated Transfer-Encoding
        "POST /public HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: xchunked\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        "POST /public HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        "POST /public HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        "POST /public HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 5\r\nContent-Length: 49\r\n\r\n"
                + "hello\r\nGET /smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        "POST /public HTTP/1.1\r\nHost: edge.test\r\nContent-Length: +49\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        // obsolete line folding hides a header from one parser and not another
        "GET /public HTTP/1.1\r\nHost: edge.test\r\nX-Foo: bar\r\n Transfer-Encoding: chunked\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        "GET /public HTTP/1.1\r\nHost: edge.test\r\nX-Foo: bar\r\n\tx\r\n\r\n",
        // bare LF and bare CR
        "GET /public HTTP/1.1\nHost: edge.test\n\nGET /smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        "GET /public HTTP/1.1\r\nHost: edge.test\r\nX-Foo: a\rGET /smuggled HTTP/1.1\r\n\r\n",
        // invalid header names and values
        "GET /public HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        "GET /public HTTP/1.1\r\nHost: edge.test\r\nX Foo: bar\r\n\r\n",
        "GET /public HTTP/1.1\r\nHost: edge.test\r\nX-Foo: a\u0000b\r\n\r\n",
        // Transfer-Encoding on HTTP/1.0, absolute-form naming another host, two Hosts
        "POST /public HTTP/1.0\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET http://internal.example/admin HTTP/1.1\r\nHost: edge.test\r\n\r\n",
        "GET /public HTTP/1.1\r\nHost: edge.test\r\nHost: other.test\r\n\r\n",
    })
    void malformedOrAmbiguousFramingIsRejectedAndNothingIsSmuggled(String request) throws Exception {
        String answer = RawHttp.exchange(server.port(), request);
        assertEquals(400, status(answer), request + "\n->\n" + answer);
        assertEquals(1, answer.split("HTTP/1\\.[01] ", -1).length - 1, "exactly one response: " + answer);
        assertFalse(upstreamPaths().contains("/smuggled"), upstreamPaths().toString());
    }

    @Test
    void hostsTheListenerDoesNotServeGet421() throws Exception {
        String answer = RawHttp.exchange(server.port(), "GET /public HTTP/1.1\r\nHost: evil.example\r\n"
                + "Connection: close\r\n\r\n");
        assertEquals(421, status(answer), answer);
        assertTrue(answer.contains("application/problem+json"), answer);
        String wildcard = RawHttp.exchange(server.port(), "GET /public HTTP/1.1\r\nHost: API.edge.test:8443\r\n"
                + "Connection: close\r\n\r\n");
        assertEquals(200, status(wildcard), wildcard);
        assertEquals(List.of("/public"), upstreamPaths());
    }

    @Test
    void eachLimitAnswersWithItsStatus() throws Exception {
        assertEquals(414, status(get(server, "/public/" + "a".repeat(300))));
        String[] many = new String[25];
        for (int i = 0; i < many.length; i++) {
            many[i] = "X-H" + i + ": v";
        }
        assertProblem(431, get(server, "/public", many));
        String[] past = new String[60]; // past Undertow's own limit too: its parser refuses, the edge answers
        for (int i = 0; i < past.length; i++) {
            past[i] = "X-H" + i + ": v";
        }
        assertProblem(431, get(server, "/public", past));
        assertProblem(431, get(server, "/public", "X-Big: " + "b".repeat(3000)));
        assertProblem(431, get(server, "/public", "X-Huge: " + "h".repeat(200_000)));
        assertEquals(List.of(), upstreamPaths());
    }

    @Test
    void headsTheParserRefusesGetTheEdgesProblemWithItsReason() throws Exception {
        assertTrue(assertProblem(400, RawHttp.exchange(server.port(), "GET /public HTTP/1.1\nHost: edge.test\n\n"))
                .contains("LF without CR"));
        assertProblem(400, RawHttp.exchange(server.port(), "GET /a b HTTP/1.1\r\nHost: edge.test\r\n\r\n"));
        assertProblem(400, RawHttp.exchange(server.port(), "POST /public HTTP/1.1\r\nHost: edge.test\r\n"
                + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        assertEquals(List.of(), upstreamPaths());
    }

    @Test
    void anUnsupportedHttpVersionGets505() throws Exception {
        for (String version : List.of("HTTP/9.9", "HTTP/1.9")) {
            assertProblem(505, RawHttp.exchange(server.port(), "GET /public " + version + "\r\nHost: edge.test\r\n"
                    + "Connection: close\r\n\r\n"));
        }
        assertEquals(List.of(), upstreamPaths());
    }

    @Test
    void aPipelinedHeadIsCheckedLikeAFirstOne() throws Exception {
        String first = "GET /public/one HTTP/1.1\r\nHost: edge.test\r\n\r\n";
        String version = RawHttp.exchange(server.port(), first + "GET /public/two HTTP/9.9\r\nHost: edge.test\r\n\r\n");
        assertTrue(version.startsWith("HTTP/1.1 200 "), version);
        assertTrue(version.contains("HTTP/1.1 505 "), version);
        String folded = RawHttp.exchange(server.port(), first
                + "GET /public/three HTTP/1.1\r\nHost: edge.test\r\nX-A: 1\r\n folded\r\n\r\n");
        assertTrue(folded.contains("HTTP/1.1 400 ") && folded.contains("line folding"), folded);
        for (String post : List.of("POST /public/four HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 5\r\n\r\nhello",
                "POST /public/four HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")) {
            // the next head arrives in the same read as the end of a body
            String afterBody = RawHttp.exchange(server.port(), post
                    + "GET /public/five HTTP/1.1\r\nHost: edge.test\r\nX-A: 1\r\n folded\r\n\r\n");
            assertTrue(afterBody.startsWith("HTTP/1.1 200 ") && afterBody.contains("HTTP/1.1 400 ")
                    && afterBody.contains("line folding"), afterBody);
        }
        assertEquals(List.of("/public/one", "/public/one", "/public/four", "/public/four"), upstreamPaths());
    }

    /** The answer has {@code status}, a problem body with a request id, and a Date; returns it. */
    private static String assertProblem(int status, String answer) {
        assertEquals(status, status(answer), answer);
        String lower = answer.toLowerCase(Locale.ROOT);
        assertTrue(lower.contains("content-type: application/problem+json"), answer);
        assertTrue(lower.contains("\r\ndate: "), answer);
        assertTrue(answer.matches("(?s).*\"requestId\":\"[0-9a-f]{32}\".*"), answer);
        return answer;
    }

    @Test
    void aStalledUploadGets408AndTheConnectionCloses() throws Exception {
        assertAnsweredThenClosed("POST /public/upload HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 100000\r\n\r\n"
                + "only-part", 408);
    }

    @Test
    void aRefusalWhileTheBodyIsUnreadClosesTheConnection() throws Exception {
        assertAnsweredThenClosed("POST /admin/upload HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 100000\r\n\r\n"
                + "only-part", 403);
    }

    @Test
    void aClientStillUploadingGetsTheRefusalAndThenACleanClose() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024 + 512 * 1024]; // under the edge's lingering bound, over socket buffers
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    out.write(("POST /small/upload HTTP/1.1\r\nHost: edge.test\r\nContent-Length: " + body.length
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < body.length; i += 16 * 1024) {
                        out.write(body, i, 16 * 1024); // the edge answers 413 long before the last of these
                    }
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String head = RawHttp.readHead(socket.getInputStream());
            assertEquals(413, status(head), head);
            assertTrue(head.toLowerCase(Locale.ROOT).contains("connection: close"), head);
            upload.get(10, java.util.concurrent.TimeUnit.SECONDS); // every byte was taken: no reset mid-upload
            socket.getInputStream().readNBytes(contentLength(head));
            assertEquals(-1, socket.getInputStream().read(), "then the edge closed the connection");
        }
    }

    @Test
    void bodiesReadToTheirEndKeepTheConnection() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            socket.setSoTimeout(5000);
            for (int i = 0; i < 3; i++) {
                String body = "x".repeat(10_000 * i);
                socket.getOutputStream().write(("POST /public/upload HTTP/1.1\r\nHost: edge.test\r\n"
                        + (i == 2 ? "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n"
                                + body + "\r\n0\r\n\r\n" : "Content-Length: " + body.length() + "\r\n\r\n" + body))
                        .getBytes(StandardCharsets.US_ASCII));
                String head = RawHttp.readHead(socket.getInputStream());
                assertEquals(200, status(head), head);
                assertFalse(head.toLowerCase(Locale.ROOT).contains("connection: close"), head);
                socket.getInputStream().readNBytes(contentLength(head));
            }
        }
    }

    /** Sends {@code request}, expects {@code status} with Connection: close, then the close itself. */
    private static void assertAnsweredThenClosed(String request, int status) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = RawHttp.readHead(socket.getInputStream());
            assertEquals(status, status(head), head);
            assertTrue(head.toLowerCase(Locale.ROOT).contains("connection: close"), head);
            socket.getInputStream().readNBytes(contentLength(head));
            assertEquals(-1, socket.getInputStream().read(), "the edge closed the connection");
        }
        Await.until("no request in flight", () -> server.inFlight() == 0);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    @Test
    void connectionsPerClientAreBounded() throws Exception {
        EdgeServer limited = EdgeServer.builder(Edge.builder().build()).listen("127.0.0.1", 0)
                .maxConnectionsPerClient(3).build().start();
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket socket = new Socket("127.0.0.1", limited.port());
                open.add(socket);
                // once answered, the connection is surely counted (and it stays open: keep-alive)
                socket.setSoTimeout(3000);
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(404, status(RawHttp.readHead(socket.getInputStream())));
            }
            try (Socket fourth = new Socket("127.0.0.1", limited.port())) {
                fourth.setSoTimeout(3000);
                String answer = RawHttp.readAll(fourth.getInputStream());
                assertEquals(429, status(answer), answer);
                assertTrue(answer.contains("Retry-After: 1"), answer);
            }
            open.remove(0).close();
            Await.untilHolds("a slot is free again once a connection closed", Duration.ofSeconds(5),
                    () -> status(RawHttp.exchange(limited.port(),
                            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) == 404);
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
            limited.shutdown(Duration.ofMillis(200));
        }
    }
}
