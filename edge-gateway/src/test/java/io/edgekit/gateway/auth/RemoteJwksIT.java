package io.edgekit.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.sun.net.httpserver.HttpServer;
import io.edgekit.core.Edge;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.testing.ManualClock;
import io.edgekit.core.testing.ManualContext;
import io.edgekit.proxy.EdgeServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A JWKS URL served by a real local HTTP server, behind a real edge: key rotation mid-traffic fails no
 * request, an outage keeps the last good keys, unknown key ids fetch at most once per gap, and the set is
 * refreshed in the background.
 */
@Timeout(60)
class RemoteJwksIT {
    HttpServer jwksHost;
    final AtomicReference<String> served = new AtomicReference<>(Tokens.jwks(Tokens.RSA));
    final AtomicInteger status = new AtomicInteger(200);
    final AtomicInteger requests = new AtomicInteger();
    EdgeServer edge;
    RemoteJwks jwks;
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        jwksHost = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwksHost.createContext("/jwks", exchange -> {
            requests.incrementAndGet();
            byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Cache-Control", "max-age=600");
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwksHost.start();
    }

    private URI jwksUri() {
        return URI.create("http://127.0.0.1:" + jwksHost.getAddress().getPort() + "/jwks");
    }

    private void startEdge(RemoteJwks keys) {
        jwks = keys;
        Edge engine = Edge.builder()
                .component(keys)
                .route(Route.named("orders").path("/orders/**")
                        .policy(JwtAuth.builder().issuer(Tokens.ISSUER, keys).audience(Tokens.AUDIENCE).build())
                        .to((ex, r) -> Response.of(200, "text/plain", "ok").completed()).build())
                .build();
        edge = EdgeServer.builder(engine).listen("127.0.0.1", 0).build().start();
    }

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.shutdown(Duration.ofSeconds(1));
        }
        jwksHost.stop(0);
    }

    private int get(String token) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/orders/1"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String token(String kid) {
        return Tokens.sign(JWSAlgorithm.RS256, kid, Tokens.claims(Instant.now()).build());
    }

    @Test
    void aRotationMidTrafficFailsNoRequest() throws Exception {
        // a gap of 1 ms: the default 10 s would hold back a fetch this soon after the first one
        startEdge(RemoteJwks.builder(jwksUri()).minRefreshGap(Duration.ofMillis(1)).build());
        for (int i = 0; i < 20; i++) {
            assertEquals(200, get(token("r1")));
        }
        served.set(Tokens.jwks(Tokens.RSA, Tokens.RSA_2)); // the issuer adds its next key and starts using it
        for (int i = 0; i < 20; i++) {
            assertEquals(200, get(token(i % 2 == 0 ? "r2" : "r1")), "request " + i);
        }
        assertEquals(2, jwks.fetches(), "the first use, then the unknown kid");
    }

    @Test
    void anOutageKeepsTheLastGoodKeysAndUnknownKidsFetchAtMostOncePerGap() throws Exception {
        startEdge(RemoteJwks.builder(jwksUri()).minRefreshGap(Duration.ofSeconds(30)).build());
        assertEquals(200, get(token("r1")));
        status.set(500);
        served.set("down");
        int before = requests.get();
        for (int i = 0; i < 20; i++) {
            assertEquals(200, get(token("r1")), "the last good key still verifies");
            assertEquals(401, get(token("r2")), "an unknown kid is refused, not an error");
        }
        assertTrue(requests.get() - before <= 1, "at most one fetch in the gap: " + (requests.get() - before));
        jwksHost.stop(0); // the host gone altogether
        assertEquals(200, get(token("r1")));
    }

    @Test
    void theSetIsRefreshedInTheBackgroundOnTheEdgesScheduler() throws Exception {
        RemoteJwks keys = RemoteJwks.builder(jwksUri()).refreshEvery(Duration.ofSeconds(60)).build();
        ManualClock clock = new ManualClock();
        keys.start(new ManualContext(clock, null, Edge.builder().build()));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (keys.fetches() < 1 || clock.pendingTasks() < 1) {
            assertTrue(System.nanoTime() < deadline, "the first fetch and the next one's schedule");
            Thread.onSpinWait();
        }
        served.set(Tokens.jwks(Tokens.RSA_2));
        clock.advance(Duration.ofSeconds(61));
        while (keys.fetches() < 2) {
            assertTrue(System.nanoTime() < deadline, "a refresh after the interval");
            Thread.onSpinWait();
        }
        KeySet set = keys.keysFor("r2").toCompletableFuture().get();
        assertTrue(set.has("r2") && !set.has("r1"), "the refreshed set replaced the old one");
        keys.close();
    }
}
