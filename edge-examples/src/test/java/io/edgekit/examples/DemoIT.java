package io.edgekit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DemoIT {
    static Demo demo;
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        demo = new Demo().start("127.0.0.1", 0, 0);
    }

    @AfterAll
    static void stop() {
        demo.stop();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.port() + path));
    }

    @Test
    void whoamiAlternatesBetweenTheTwoBackends() throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = send(at("/api/whoami"));
            assertEquals(200, response.statusCode());
            assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
            assertEquals("1.1 edgekit", response.headers().firstValue("via").orElse(""));
            seen.add(response.body().trim());
        }
        assertEquals(Set.of("{\"backend\":\"demo-backend-1\"}", "{\"backend\":\"demo-backend-2\"}"), seen);
    }

    @Test
    void echoShowsForwardedHeadersAndBody() throws Exception {
        HttpResponse<String> response = send(at("/api/echo?x=1").POST(HttpRequest.BodyPublishers.ofString("hello")));
        assertTrue(response.body().contains("\"x-forwarded-for\":\"127.0.0.1, 127.0.0.1\""), response.body());
        assertTrue(response.body().contains("\"body\":\"hello\""), response.body());
        assertTrue(response.body().contains("\"uri\":\"/api/echo?x=1\""), response.body());
    }

    @Test
    void timeIsCachedByTheEdge() throws Exception {
        HttpResponse<String> first = send(at("/api/time"));
        HttpResponse<String> second = send(at("/api/time"));
        assertEquals(first.body(), second.body());
        assertEquals("edgekit; hit", second.headers().firstValue("cache-status").orElse(""));
        assertTrue(second.headers().firstValue("age").isPresent());
    }

    @Test
    void staticSiteWithEtagRangeAndGzip() throws Exception {
        HttpResponse<byte[]> page = client.send(at("/static/").header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, page.statusCode());
        assertEquals("gzip", page.headers().firstValue("content-encoding").orElse(""));
        String html = new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(page.body()))
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(html.contains("<h1>Edgekit demo</h1>"), html);
        String etag = page.headers().firstValue("etag").orElseThrow();
        assertEquals(304, send(at("/static/index.html").header("If-None-Match", etag)).statusCode());
        HttpResponse<String> range = send(at("/static/index.html").header("Range", "bytes=0-14"));
        assertEquals(206, range.statusCode());
        assertEquals("<!doctype html>", range.body());
    }

    @Test
    void tlsListenerSpeaksHttp2() throws Exception {
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String type) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String type) {
                // the demo's certificate is self-signed and made at start: this test trusts it blindly
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        HttpClient tls = HttpClient.newBuilder().sslContext(trustAll).version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> response = tls.send(HttpRequest.newBuilder(URI.create("https://localhost:"
                + demo.tlsPort() + "/api/whoami")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertTrue(response.body().contains("demo-backend-"), response.body());
    }

    @Test
    void internalIsDeniedByThePolicy() throws Exception {
        HttpResponse<String> response = send(at("/internal/whoami"));
        assertEquals(403, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("content-type").orElse(""));
    }

    @Test
    void explainSaysWhichRouteMatches() throws Exception {
        HttpResponse<String> response = send(at("/edge/explain").header("x-explain-path", "/api/whoami"));
        assertTrue(response.body().startsWith("route 'api'"), response.body());
    }

    @Test
    void secureNeedsTheTokenTheDemoPrints() throws Exception {
        HttpResponse<String> none = send(at("/secure/echo"));
        assertEquals(401, none.statusCode());
        assertEquals("Bearer realm=\"edgekit\"", none.headers().firstValue("www-authenticate").orElse(""));
        HttpResponse<String> ok = send(at("/secure/echo").header("Authorization", "Bearer " + demo.token()));
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.body().toLowerCase(java.util.Locale.ROOT).contains("\"x-auth-subject\":\"demo-user\""), ok.body());
        HttpResponse<String> forged = send(at("/secure/echo").header("Authorization", "Bearer " + demo.token()
                .substring(0, demo.token().length() - 4) + "AAAA"));
        assertEquals(401, forged.statusCode());
    }

    @Test
    void partnerNeedsTheApiKeyTheDemoPrints() throws Exception {
        assertEquals(401, send(at("/partner/whoami")).statusCode());
        HttpResponse<String> ok = send(at("/partner/whoami").header("X-API-Key", demo.apiKey()));
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("\"demo-per-second\";q=10;w=1", ok.headers().firstValue("ratelimit-policy").orElse(""));
    }

    @Test
    void corsOnApiAllowsTheAppOriginOnly() throws Exception {
        HttpResponse<String> allowed = send(at("/api/whoami").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com").header("Access-Control-Request-Method", "GET"));
        assertEquals(204, allowed.statusCode());
        assertEquals("https://app.example.com", allowed.headers().firstValue("access-control-allow-origin").orElse(""));
        HttpResponse<String> other = send(at("/api/whoami").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example.com").header("Access-Control-Request-Method", "GET"));
        assertEquals(403, other.statusCode());
        assertTrue(other.headers().firstValue("access-control-allow-origin").isEmpty());
    }

    @Test
    void apiIsRateLimitedPerClientWithItsFields() throws Exception {
        Demo own = new Demo().start("127.0.0.1", 0); // its own limiter: the other tests keep their budget
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + own.port() + "/api/whoami")).build();
            HttpResponse<String> first = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals("\"per-second\";q=50;w=1", first.headers().firstValue("ratelimit-policy").orElse(""));
            assertTrue(first.headers().firstValue("ratelimit").orElse("").startsWith("\"per-second\";r="));
            HttpResponse<String> refused = null;
            for (int i = 0; i < 300 && refused == null; i++) {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 429) {
                    refused = r;
                }
            }
            assertTrue(refused != null, "past the burst of 100, a 429");
            assertEquals("1", refused.headers().firstValue("retry-after").orElse(""));
            assertEquals("application/problem+json", refused.headers().firstValue("content-type").orElse(""));
        } finally {
            own.stop();
        }
    }
}
