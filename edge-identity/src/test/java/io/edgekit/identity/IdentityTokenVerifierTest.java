package io.edgekit.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Identity tokens signed and checked with real keys: every way one must not be believed. */
@Timeout(10)
class IdentityTokenVerifierTest {
    static final KeyPair GATEWAY = IdentityTokens.newKeyPair();
    static final KeyPair OTHER = IdentityTokens.newKeyPair();
    static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    private static IdentityTokenVerifier verifier(Instant at) {
        return IdentityTokenVerifier.builder((ECPublicKey) GATEWAY.getPublic()).issuer("edgekit").audience("orders")
                .clock(Clock.fixed(at, ZoneOffset.UTC)).build();
    }

    private static String token(KeyPair keys, String audience, Instant issued) {
        return IdentityTokens.sign((ECPrivateKey) keys.getPrivate(), "k1", "edgekit", audience, "alice",
                List.of("orders:read", "orders:write"), "gold", issued, Duration.ofSeconds(60));
    }

    @Test
    void aGoodTokenGivesTheIdentity() throws Exception {
        IdentityToken who = verifier(NOW.plusSeconds(30)).verify(token(GATEWAY, "orders", NOW));
        assertEquals("alice", who.subject());
        assertTrue(who.hasScope("orders:write"));
        assertEquals("gold", who.plan());
        assertEquals(NOW.plusSeconds(60), who.expiresAt());
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(GATEWAY.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----";
        assertEquals("alice", IdentityTokenVerifier.builder(pem).issuer("edgekit").audience("orders")
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build().verify(token(GATEWAY, "orders", NOW)).subject());
    }

    @Test
    void everyTokenNotToBeBelievedIsRefusedWithItsReason() {
        IdentityTokenVerifier verifier = verifier(NOW.plusSeconds(30));
        String good = token(GATEWAY, "orders", NOW);
        String[] parts = good.split("\\.");
        assertReason(verifier, null, "no identity token");
        assertReason(verifier, "abc", "not a compact JWT");
        assertReason(verifier, token(OTHER, "orders", NOW), "the signature is not the gateway's");
        assertReason(verifier, token(GATEWAY, "billing", NOW), "for another audience");
        assertReason(verifier(NOW.plusSeconds(120)), good, "expired");
        assertReason(verifier(NOW.minusSeconds(60)), good, "issued in the future");
        String forgedClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"iss\":\"edgekit\",\"aud\":\"orders\",\"sub\":\"mallory\",\"iat\":1,\"exp\":99999999999}"
                        .getBytes(StandardCharsets.UTF_8));
        assertReason(verifier, parts[0] + "." + forgedClaims + "." + parts[2], "the signature is not the gateway's");
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        assertReason(verifier, none + "." + parts[1] + "." + parts[2], "identity tokens are ES256");
        assertReason(verifier, parts[0] + ".e30x." + parts[2], "malformed identity token");
    }

    private static void assertReason(IdentityTokenVerifier verifier, String token, String reason) {
        InvalidIdentityTokenException e = assertThrows(InvalidIdentityTokenException.class, () -> verifier.verify(token));
        assertTrue(e.getMessage().startsWith(reason), e.getMessage());
    }
}
