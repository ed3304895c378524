package io.edgekit.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.EndpointState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin listener against a real edge: health, the JSON API, mutations, purges, Prometheus text. */
@Timeout(30)
class AdminServerIT {
    AdminFixture fixture;
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        fixture = new AdminFixture();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthRoutesUpstreamsAndMetricsAreServed() throws Exception {
        for (int i = 0; i < 6; i++) {
            assertEquals(200, get(fixture.edgeUrl("/api/items/" + i)).statusCode());
        }
        assertEquals(503, get(fixture.edgeUrl("/broken/x")).statusCode());
        assertEquals("{\"status\":\"live\"}", get(fixture.adminUrl("/health/live")).body());
        assertEquals(200, get(fixture.adminUrl("/health/ready")).statusCode());
        String routes = get(fixture.adminUrl("/api/routes")).body();
        assertTrue(routes.startsWith("[{\"id\":\"api\",\"path\":\"/api/**\",\"hosts\":[],\"methods\":[],\"upstreams\":[\"api\"]}"),
                routes);
        String upstreams = get(fixture.adminUrl("/api/upstreams")).body();
        assertTrue(upstreams.contains("\"address\":\"127.0.0.1:" + fixture.backendA.port() + "\",\"status\":\"SERVING\""
                + ",\"weight\":1"), upstreams);
        String metrics = get(fixture.adminUrl("/api/metrics")).body();
        assertTrue(metrics.contains("{\"id\":\"api\",\"requests\":{") && metrics.contains("\"2xx\":6"), metrics);
        assertTrue(metrics.contains("\"id\":\"broken\"") && metrics.contains("\"errors\":1"), metrics);
        assertTrue(metrics.contains("\"latencyMillis\":{\"p50\":"), metrics);
        HttpResponse<String> scrape = get(fixture.adminUrl("/metrics"));
        assertTrue(scrape.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        assertTrue(scrape.body().contains("edgekit_requests_total{route=\"api\",status=\"2xx\"} 6.0"), scrape.body());
        assertTrue(get(fixture.adminUrl("/")).body().contains("<table id=\"routes\">"));
        assertTrue(scrape.body().contains("edgekit_connections_open "), "open connections are a gauge");
    }

    @Test
    void endpointsAreDrainedRestoredAndReweightedAndBadInputIsNamed() throws Exception {
        String a = "127.0.0.1:" + fixture.backendA.port();
        String base = fixture.adminUrl("/api/upstreams/api/endpoints/" + a);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        HttpResponse<String> drained;
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            drained = post(base + "/drain");
        } finally {
            System.setErr(err);
        }
        assertEquals(200, drained.statusCode(), drained.body());
        assertTrue(captured.toString(java.nio.charset.StandardCharsets.UTF_8).contains("edgekit.admin - admin 127.0.0.1:"
                + " upstream 'api' endpoint " + a + " drain"), "the mutation is audited: " + captured);
        assertEquals(EndpointState.Status.DRAINING,
                fixture.edge.edge().endpointGroup("api").orElseThrow().snapshot().state(a).orElseThrow().status());
        for (int i = 0; i < 4; i++) {
            assertEquals("backend b", get(fixture.edgeUrl("/api/fresh-" + i)).body(), "a drained endpoint gets no request");
        }
        assertEquals(200, post(base + "/undrain").statusCode());
        assertTrue(fixture.edge.edge().endpointGroup("api").orElseThrow().snapshot().state(a).orElseThrow().isServing()
                || fixture.edge.edge().endpointGroup("api").orElseThrow().snapshot().state(a).orElseThrow().status()
                        == EndpointState.Status.STARTING);
        assertEquals(200, post(base + "/weight?value=5").statusCode());
        assertEquals(5, fixture.edge.edge().endpointGroup("api").orElseThrow().snapshot().state(a).orElseThrow()
                .endpoint().weight());
        HttpResponse<String> badWeight = post(base + "/weight?value=lots");
        assertEquals(400, badWeight.statusCode());
        assertEquals("application/problem+json", badWeight.headers().firstValue("content-type").orElse(""));
        assertTrue(badWeight.body().contains("weight: \\\"lots\\\""), badWeight.body());
        HttpResponse<String> noUpstream = post(fixture.adminUrl("/api/upstreams/nope/endpoints/" + a + "/drain"));
        assertEquals(404, noUpstream.statusCode());
        assertTrue(noUpstream.body().contains("no upstream named 'nope' (upstreams: [api])"), noUpstream.body());
        assertEquals(404, post(fixture.adminUrl("/api/upstreams/api/endpoints/10.9.9.9:1/drain")).statusCode());
        assertEquals(404, post(base + "/explode").statusCode());
    }

    @Test
    void theCacheIsPurgedByKeyAndPrefix() throws Exception {
        get(fixture.edgeUrl("/api/cached/1"));
        get(fixture.edgeUrl("/api/cached/2"));
        assertEquals(2, fixture.cache.size());
        String host = "127.0.0.1"; // the cache keys by host name, without the port
        assertEquals("{\"purged\":1}", post(fixture.adminUrl("/api/cache/purge?host=" + host + "&path=/api/cached/1")).body());
        assertEquals("{\"purged\":1}", post(fixture.adminUrl("/api/cache/purge?host=" + host + "&prefix=/api/")).body());
        assertEquals(0, fixture.cache.size());
        assertEquals(400, post(fixture.adminUrl("/api/cache/purge?host=" + host)).statusCode());
        assertEquals(405, get(fixture.adminUrl("/api/cache/purge")).statusCode());
    }

    @Test
    void offLoopbackATokenIsRequiredAndChecked() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        io.edgekit.micrometer.EdgeMetrics metrics = io.edgekit.micrometer.EdgeMetrics.builder(registry).build();
        assertThrows(IllegalStateException.class, () -> AdminServer.builder(fixture.edge, metrics, registry)
                .listen("0.0.0.0", 0).build());
        try (AdminServer guarded = AdminServer.builder(fixture.edge, metrics, registry).listen("127.0.0.1", 0)
                .bearerToken("0123456789abcdef-secret").build().start()) {
            String url = "http://127.0.0.1:" + guarded.port() + "/api/routes";
            HttpResponse<String> refused = get(url);
            assertEquals(401, refused.statusCode());
            assertEquals("Bearer realm=\"edgekit-admin\"", refused.headers().firstValue("www-authenticate").orElse(""));
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer 0123456789abcdef-secret").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }
}
