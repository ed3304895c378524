package io.edgekit.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.sun.net.httpserver.HttpServer;
import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.identity.IdentityToken;
import io.edgekit.identity.IdentityTokenVerifier;
import io.edgekit.identity.IdentityTokens;
import io.edgekit.identity.InvalidIdentityTokenException;
import io.edgekit.proxy.EdgeServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The identity travels to a real upstream as a token the upstream checks itself with the small verifier:
 * what came through the edge is believed, what bypassed it or was forged is not.
 */
@Timeout(30)
class IdentityForwardingIT {
    static final KeyPair GATEWAY = IdentityTokens.newKeyPair();
    HttpServer service;
    EdgeServer edge;
    final HttpClient client = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.shutdown(Duration.ofSeconds(1));
        }
        service.stop(0);
    }

    @Test
    void theServiceBelievesOnlyWhatTheEdgeSigned() throws Exception {
        IdentityTokenVerifier verifier = IdentityTokenVerifier.builder((ECPublicKey) GATEWAY.getPublic())
                .issuer("edgekit").audience("orders-service").build();
        service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        service.createContext("/", exchange -> {
            String answer;
            try {
                List<String> tokens = exchange.getRequestHeaders().getOrDefault("X-Edge-Identity", List.of());
                IdentityToken who = verifier.verify(tokens.size() == 1 ? tokens.get(0) : null);
                answer = "identity " + who.subject() + " " + who.plan() + " " + new java.util.TreeSet<>(who.scopes());
            } catch (InvalidIdentityTokenException e) {
                answer = "no identity: " + e.getMessage();
            }
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        service.start();
        Upstream orders = Upstream.named("orders").endpoint("127.0.0.1", service.getAddress().getPort()).build();
        Edge engine = Edge.builder()
                .route(Route.named("orders").path("/orders/**")
                        .policy(JwtAuth.builder().issuer(Tokens.ISSUER, JwtKeys.jwks(Tokens.allPublicKeys()))
                                .audience(Tokens.AUDIENCE).claimAttribute("plan", "plan").build())
                        .policy(IdentityForwarding.builder((ECPrivateKey) GATEWAY.getPrivate()).issuer("edgekit")
                                .audience("orders-service").build())
                        .to(orders).build())
                .build();
        edge = EdgeServer.builder(engine).listen("127.0.0.1", 0).build().start();
        String jwt = Tokens.sign(JWSAlgorithm.ES256, "e256", Tokens.claims(Instant.now()).build());
        String forged = IdentityTokens.sign((ECPrivateKey) IdentityTokens.newKeyPair().getPrivate(), null, "edgekit",
                "orders-service", "mallory", List.of("admin"), "gold", Instant.now(), Duration.ofSeconds(60));

        String through = get(edge.port(), "Bearer " + jwt, forged);
        assertEquals("identity alice gold [orders:read, orders:write]", through, "the edge's token, not the client's");
        String bypassing = get(service.getAddress().getPort(), null, forged);
        assertTrue(bypassing.startsWith("no identity: the signature is not the gateway's"), bypassing);
        assertTrue(get(service.getAddress().getPort(), null, null).startsWith("no identity"));
    }

    private String get(int port, String authorization, String identity) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/1"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (identity != null) {
            request.header("X-Edge-Identity", identity);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
