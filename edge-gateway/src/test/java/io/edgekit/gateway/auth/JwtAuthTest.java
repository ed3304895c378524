package io.edgekit.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import io.edgekit.core.Edge;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import io.edgekit.gateway.MutableClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bearer JWTs in memory: every algorithm with its key, every refusal, scopes, the cache, forwarded claims. */
@Timeout(30)
class JwtAuthTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));

    private EdgeTester tester(JwtAuth.Builder auth) {
        Edge edge = Edge.builder()
                .route(Route.named("orders").path("/orders/**").policy(auth.clock(clock).build())
                        .to((ex, r) -> Response.of(200, "text/plain", "sub=" + r.headers().all("x-auth-subject")
                                + " plan=" + r.headers().firstOrNull("x-plan") + " identity="
                                + ex.identity().map(i -> i.subject() + new java.util.TreeSet<>(i.scopes()) + i.attributes().get("plan")).orElse("-"))
                                .completed())
                        .build())
                .build();
        return new EdgeTester(edge, new InMemoryTransport());
    }

    private JwtAuth.Builder auth() {
        return JwtAuth.builder()
                .issuer(Tokens.ISSUER, JwtKeys.jwks(Tokens.allPublicKeys()))
                .issuer("https://hmac.example.test", JwtKeys.hmac("h1", Tokens.SECRET))
                .audience(Tokens.AUDIENCE)
                .forwardClaim("sub", "X-Auth-Subject")
                .forwardClaim("plan", "X-Plan")
                .claimAttribute("plan", "plan");
    }

    private Response send(EdgeTester tester, String token) {
        return tester.send(Request.builder().uri("/orders/1").header("authorization", "Bearer " + token).build());
    }

    private JWTClaimsSet claims() {
        return Tokens.claims(clock.now).build();
    }

    private static String body(Response response) {
        return new String(response.body().aggregate(8192).toCompletableFuture().join(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256:r1", "RS384:r1", "RS512:r1", "PS256:r1", "PS384:r1", "PS512:r1", "ES256:e256",
        "ES384:e384", "ES512:e521", "EdDSA:ed1"})
    void eachAlgorithmVerifiesWithItsKey(String spec) {
        String[] parts = spec.split(":");
        Response ok = send(tester(auth()), Tokens.sign(JWSAlgorithm.parse(parts[0]), parts[1], claims()));
        assertEquals(200, ok.status(), body(ok));
        assertEquals("sub=[alice] plan=gold identity=alice[orders:read, orders:write]gold", body(ok));
    }

    @Test
    void hmacTokensVerifyWithTheConfiguredSecret() {
        JWTClaimsSet claims = Tokens.claims(clock.now).issuer("https://hmac.example.test").build();
        for (JWSAlgorithm algorithm : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)) {
            assertEquals(200, send(tester(auth()), Tokens.sign(algorithm, "h1", claims)).status(), algorithm.getName());
        }
        // the HMAC issuer's secret cannot sign for the other issuer
        assertEquals(401, send(tester(auth()), Tokens.sign(JWSAlgorithm.HS256, "h1", claims())).status());
    }

    @Test
    void noTokenGetsABareChallenge() {
        Response response = tester(auth()).send(Request.get("/orders/1"));
        assertEquals(401, response.status());
        assertEquals("Bearer realm=\"edgekit\"", response.headers().firstOrNull("www-authenticate"));
        assertEquals("application/problem+json", response.headers().firstOrNull("content-type"));
    }

    private void assertInvalid(String token, String why) {
        Response response = send(tester(auth()), token);
        assertEquals(401, response.status(), body(response));
        String challenge = response.headers().firstOrNull("www-authenticate");
        assertTrue(challenge.startsWith("Bearer realm=\"edgekit\", error=\"invalid_token\", error_description=\""),
                challenge);
        assertTrue(body(response).contains(why), why + " in " + body(response));
    }

    @Test
    void everyKindOfBadTokenIsRefused() {
        Instant now = clock.now;
        assertInvalid(Tokens.unsigned(claims()), "not a signed JWT");
        assertInvalid(Tokens.confused(claims()), "signature does not verify");
        assertInvalid(Tokens.sign(JWSAlgorithm.RS256, "r1", claims(),
                h -> h.jwkURL(URI.create("https://evil.example/jwks"))), "naming their own keys");
        assertInvalid(Tokens.sign(JWSAlgorithm.RS256, "r1", claims(),
                h -> h.x509CertURL(URI.create("https://evil.example/cert"))), "naming their own keys");
        assertInvalid(Tokens.sign(JWSAlgorithm.RS256, "r1", claims(), h -> h.jwk(Tokens.RSA_2.toPublicJWK())),
                "naming their own keys");
        assertInvalid(Tokens.sign(JWSAlgorithm.RS256, "r1", claims(),
                h -> h.customParam("exp-crit", 1).criticalParams(Set.of("exp-crit"))), "critical header parameters");
        assertInvalid(Tokens.sign(JWSAlgorithm.RS256, "r2", claims()), "no key of the issuer has the token's kid");
        assertInvalid(Tokens.sign(JWSAlgorithm.RS256, "r1", Tokens.claims(now).issuer("https://other.example").build()),
                "issuer not accepted");
        assertInvalid(Tokens.sign(JWSAlgorithm.RS256, "r1", Tokens.claims(now).expirationTime(null).build()), "no exp");
        assertInvalid(Tokens.sign(JWSAlgorithm.RS256, "r1", Tokens.claims(now).subject(null).build()), "no sub");
        assertInvalid(Tokens.sign(JWSAlgorithm.RS256, "r1", Tokens.claims(now)
                .expirationTime(Date.from(now.minusSeconds(31))).build()), "expired");
        assertInvalid(Tokens.sign(JWSAlgorithm.RS256, "r1", Tokens.claims(now)
                .notBeforeTime(Date.from(now.plusSeconds(31))).build()), "not valid yet");
        assertInvalid(Tokens.sign(JWSAlgorithm.RS256, "r1", Tokens.claims(now)
                .issueTime(Date.from(now.plusSeconds(60))).build()), "issued in the future");
        assertInvalid(Tokens.sign(JWSAlgorithm.RS256, "r1", Tokens.claims(now).audience("billing-api").build()),
                "another audience");
        assertInvalid(Tokens.sign(JWSAlgorithm.ES256, "r1", claims()), "signature does not verify"); // ES over an RSA key
        String good = Tokens.sign(JWSAlgorithm.RS256, "r1", claims());
        String[] parts = good.split("\\.");
        assertInvalid(parts[0] + "." + parts[1] + "." + Tokens.sign(JWSAlgorithm.RS256, "r1",
                Tokens.claims(now).subject("mallory").build()).split("\\.")[2], "signature does not verify");
        assertInvalid("x".repeat(9000), "larger than 8192 bytes");
    }

    @Test
    void skewIsAllowedAndAudienceListsAndRequiredClaimsAreRead() {
        Instant now = clock.now;
        assertEquals(200, send(tester(auth()), Tokens.sign(JWSAlgorithm.RS256, "r1", Tokens.claims(now)
                .expirationTime(Date.from(now.minusSeconds(20))).build())).status(), "20 s past exp, 30 s skew");
        assertEquals(200, send(tester(auth()), Tokens.sign(JWSAlgorithm.RS256, "r1", Tokens.claims(now)
                .audience(List.of("billing-api", Tokens.AUDIENCE)).build())).status());
        Response lacking = send(tester(auth().requireClaims("tenant")), Tokens.sign(JWSAlgorithm.RS256, "r1", claims()));
        assertEquals(401, lacking.status());
        assertTrue(body(lacking).contains("lacks claim tenant"));
    }

    @Test
    void credentialsMustBeOneAndInTheHeaderUnlessAllowed() {
        String token = Tokens.sign(JWSAlgorithm.RS256, "r1", claims());
        EdgeTester tester = tester(auth());
        Response two = tester.send(Request.builder().uri("/orders/1").header("authorization", "Bearer " + token)
                .header("authorization", "Bearer " + token).build());
        assertEquals(400, two.status());
        assertTrue(two.headers().firstOrNull("www-authenticate").contains("error=\"invalid_request\""));
        assertEquals(400, tester.send(Request.builder().uri("/orders/1?access_token=" + token).build()).status());
        assertEquals(400, tester.send(Request.builder().uri("/orders/1?access_token=" + token)
                .header("authorization", "Bearer " + token).build()).status());
        assertEquals(400, tester.send(Request.builder().uri("/orders/1").header("authorization", "Basic YTpi").build())
                .status());
        EdgeTester query = tester(auth().tokenFromQuery("access_token"));
        assertEquals(200, query.send(Request.builder().uri("/orders/1?access_token=" + token).build()).status());
        assertEquals(400, query.send(Request.builder().uri("/orders/1?access_token=" + token)
                .header("authorization", "Bearer " + token).build()).status(), "two credentials");
    }

    @Test
    void aTokenWithoutTheScopeGets403() {
        Response response = send(tester(auth().requireScopes("orders:admin")), Tokens.sign(JWSAlgorithm.RS256, "r1",
                claims()));
        assertEquals(403, response.status());
        assertEquals("Bearer realm=\"edgekit\", error=\"insufficient_scope\", error_description=\"the token lacks scope"
                + " orders:admin\", scope=\"orders:admin\"", response.headers().firstOrNull("www-authenticate"));
        JWTClaimsSet listed = Tokens.claims(clock.now).claim("scope", null).claim("scp", List.of("orders:admin")).build();
        assertEquals(200, send(tester(auth().requireScopes("orders:admin")), Tokens.sign(JWSAlgorithm.RS256, "r1", listed))
                .status());
    }

    @Test
    void aCachedTokenIsStillCheckedForExpiry() {
        EdgeTester tester = tester(auth());
        String token = Tokens.sign(JWSAlgorithm.RS256, "r1", claims());
        assertEquals(200, send(tester, token).status());
        assertEquals(200, send(tester, token).status(), "from the cache");
        clock.now = clock.now.plus(Duration.ofSeconds(331));
        Response late = send(tester, token);
        assertEquals(401, late.status());
        assertTrue(body(late).contains("expired"));
    }

    @Test
    void forwardedClaimFieldsCannotBeForgedInAnySpelling() {
        Response response = tester(auth()).send(Request.builder().uri("/orders/1")
                .header("authorization", "Bearer " + Tokens.sign(JWSAlgorithm.RS256, "r1", claims()))
                .header("X-Auth-Subject", "mallory").header("x_auth_subject", "mallory").header("X-PLAN", "platinum")
                .build());
        assertEquals("sub=[alice] plan=gold identity=alice[orders:read, orders:write]gold", body(response));
    }

    @Test
    void configurationThatCannotWorkIsRefused() {
        assertThrows(IllegalStateException.class, () -> JwtAuth.builder().audience("a").build());
        assertThrows(IllegalStateException.class, () -> JwtAuth.builder()
                .issuer(Tokens.ISSUER, JwtKeys.jwks(Tokens.allPublicKeys())).build());
        assertThrows(IllegalArgumentException.class, () -> JwtKeys.hmac("h", new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> JwtKeys.jwks("{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}"));
        assertThrows(IllegalArgumentException.class, () -> JwtKeys.pem(null, "not a key"));
        assertThrows(IllegalArgumentException.class, () -> JwtAuth.builder().forwardClaim("sub", "x auth"));
    }

    @Test
    void pemPublicKeysAndCertificatesAreKeysToo() throws Exception {
        String pem = "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(
                Tokens.RSA.toRSAPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        EdgeTester tester = tester(JwtAuth.builder().issuer(Tokens.ISSUER, JwtKeys.pem("r1", pem)).audience(Tokens.AUDIENCE));
        assertEquals(200, send(tester, Tokens.sign(JWSAlgorithm.RS256, "r1", claims())).status());
        assertEquals(401, send(tester, Tokens.sign(JWSAlgorithm.ES256, "e256", claims())).status());
    }
}
