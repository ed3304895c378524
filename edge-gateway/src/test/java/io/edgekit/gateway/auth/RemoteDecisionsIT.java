package io.edgekit.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.edgekit.core.Edge;
import io.edgekit.core.Policy;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.proxy.EdgeServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Token introspection (RFC 7662) and external authorization against a real local authorization service,
 * behind a real edge: answers, refusals, caching, and a late or failing service.
 */
@Timeout(60)
class RemoteDecisionsIT {
    HttpServer authz;
    EdgeServer edge;
    final AtomicInteger introspections = new AtomicInteger();
    final AtomicInteger checks = new AtomicInteger();
    final AtomicLong delayMillis = new AtomicLong();
    final List<String> asked = new CopyOnWriteArrayList<>();
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        authz = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        authz.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        authz.createContext("/introspect", exchange -> {
            introspections.incrementAndGet();
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean client = "Basic ZWRnZTpzM2NyZXQ=".equals(exchange.getRequestHeaders().getFirst("Authorization"));
            long exp = Instant.now().plusSeconds(300).getEpochSecond();
            String answer = !client ? null : form.contains("token=good") ? "{\"active\":true,\"sub\":\"alice\",\"scope\":"
                    + "\"orders:read\",\"client_id\":\"app\",\"exp\":" + exp + "}" : "{\"active\":false}";
            reply(exchange, answer == null ? 401 : 200, answer == null ? "{}" : answer);
        });
        authz.createContext("/check", exchange -> {
            checks.incrementAndGet();
            String ask = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            asked.add(ask);
            sleep(delayMillis.get());
            reply(exchange, 200, ask.contains("\"x-tenant\":\"t1\"")
                    ? "{\"allow\":true,\"headers\":{\"x-tenant-role\":\"admin\"}}"
                    : "{\"allow\":false,\"status\":403,\"reason\":\"tenant not allowed\"}");
        });
        authz.start();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis); // the authorization service is slow on purpose
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reply(com.sun.net.httpserver.HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.shutdown(Duration.ofSeconds(1));
        }
        authz.stop(0);
    }

    private URI at(String path) {
        return URI.create("http://127.0.0.1:" + authz.getAddress().getPort() + path);
    }

    private void startEdge(Policy... policies) {
        Route.Builder route = Route.named("orders").path("/orders/**");
        for (Policy policy : policies) {
            route.policy(policy);
        }
        Edge engine = Edge.builder().route(route.to((ex, r) -> Response.of(200, "text/plain", "ok "
                + ex.identity().map(i -> i.subject()).orElse("-") + " role=" + r.headers().firstOrNull("x-tenant-role"))
                .completed()).build()).build();
        edge = EdgeServer.builder(engine).listen("127.0.0.1", 0).build().start();
    }

    private HttpResponse<String> get(String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/orders/1"));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void introspectedTokensAreBelievedAndCachedUntilTheyExpire() throws Exception {
        startEdge(TokenIntrospection.builder(at("/introspect")).clientCredentials("edge", "s3cret")
                .requireScopes("orders:read").build());
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> ok = get("Authorization", "Bearer good");
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals("ok alice role=null", ok.body());
        }
        assertEquals(1, introspections.get(), "one question, then the cache");
        HttpResponse<String> inactive = get("Authorization", "Bearer revoked");
        assertEquals(401, inactive.statusCode());
        assertTrue(inactive.headers().firstValue("www-authenticate").orElse("").contains("invalid_token"));
        assertEquals(401, get().statusCode());
        authz.stop(0);
        HttpResponse<String> down = get("Authorization", "Bearer another");
        assertEquals(503, down.statusCode(), "cannot be told good or bad: refused");
        assertEquals(200, get("Authorization", "Bearer good").statusCode(), "the cached answer still holds");
    }

    @Test
    void theAuthorizationServiceDecidesAndItsDecisionsAreCachedByWhatItWasTold() throws Exception {
        startEdge(ExternalAuthorization.builder(at("/check")).sendHeaders("x-tenant").build());
        HttpResponse<String> allowed = get("x-tenant", "t1", "authorization", "Bearer never-sent");
        assertEquals(200, allowed.statusCode(), allowed.body());
        assertEquals("ok - role=admin", allowed.body());
        assertEquals(200, get("x-tenant", "t1").statusCode());
        assertEquals(1, checks.get(), "the same question is answered from the cache");
        HttpResponse<String> denied = get("x-tenant", "t2");
        assertEquals(403, denied.statusCode());
        assertTrue(denied.body().contains("tenant not allowed"));
        assertEquals(2, checks.get(), "another tenant is another question");
        assertTrue(asked.get(0).contains("\"method\":\"GET\"") && asked.get(0).contains("\"path\":\"/orders/1\"")
                && !asked.get(0).contains("never-sent"), asked.get(0));
    }

    @Test
    void aLateServiceFailsClosedOrOpenAsConfigured() throws Exception {
        delayMillis.set(1500);
        startEdge(ExternalAuthorization.builder(at("/check")).sendHeaders("x-tenant").timeout(Duration.ofMillis(200))
                .build());
        assertEquals(503, get("x-tenant", "t1").statusCode());
        edge.shutdown(Duration.ofSeconds(1));
        startEdge(ExternalAuthorization.builder(at("/check")).sendHeaders("x-tenant").timeout(Duration.ofMillis(200))
                .failOpen(true).build());
        assertEquals(200, get("x-tenant", "t9").statusCode());
    }
}
