package io.edgekit.identity;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Checks an identity token an Edgekit gateway forwarded ({@link IdentityTokens}), in a service behind it:
 * the ES256 signature with the gateway's public key, the issuer, the audience (this service), and the
 * lifetime on this service's clock with a small skew. A request that bypassed the edge carries no token, or
 * one that fails here: it has no identity. Thread-safe; no dependency but the JDK.
 *
 * <pre>{@code
 * IdentityTokenVerifier verifier = IdentityTokenVerifier.builder(gatewayPublicKeyPem)
 *         .issuer("edgekit").audience("orders-service").build();
 * IdentityToken who = verifier.verify(request.getHeader("X-Edge-Identity")); // throws when not to be believed
 * }</pre>
 */
public final class IdentityTokenVerifier {
    private final ECPublicKey key;
    private final String issuer;
    private final String audience;
    private final long skewSeconds;
    private final Clock clock;

    private IdentityTokenVerifier(Builder b) {
        this.key = b.key;
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.skewSeconds = b.skew.toSeconds();
        this.clock = b.clock;
    }

    /** A verifier for tokens signed with the private half of {@code gatewayKey}. */
    public static Builder builder(ECPublicKey gatewayKey) {
        return new Builder(gatewayKey);
    }

    /** A verifier for tokens signed by the gateway whose public key is {@code pem} ({@code -----BEGIN PUBLIC KEY-----}). */
    public static Builder builder(String pem) {
        String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        try {
            return new Builder((ECPublicKey) KeyFactory.getInstance("EC")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64))));
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalArgumentException("pem: not an EC public key", e);
        }
    }

    /** The identity in {@code token}, or an exception saying why it must not be believed. */
    public IdentityToken verify(String token) throws InvalidIdentityTokenException {
        if (token == null || token.isEmpty()) {
            throw new InvalidIdentityTokenException("no identity token");
        }
        if (token.length() > 4096) {
            throw new InvalidIdentityTokenException("identity token too large");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new InvalidIdentityTokenException("not a compact JWT");
        }
        Map<String, Object> header;
        Map<String, Object> claims;
        byte[] signatureBytes;
        try {
            Base64.Decoder b64 = Base64.getUrlDecoder();
            header = FlatJson.read(new String(b64.decode(parts[0]), StandardCharsets.UTF_8));
            claims = FlatJson.read(new String(b64.decode(parts[1]), StandardCharsets.UTF_8));
            signatureBytes = b64.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new InvalidIdentityTokenException("malformed identity token");
        }
        if (!"ES256".equals(header.get("alg")) || header.containsKey("crit") || header.containsKey("jku")
                || header.containsKey("jwk") || header.containsKey("x5u")) {
            throw new InvalidIdentityTokenException("identity tokens are ES256 and name no key of their own");
        }
        try {
            Signature signature = Signature.getInstance(IdentityTokens.ALGORITHM);
            signature.initVerify(key);
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (signatureBytes.length != 64 || !signature.verify(signatureBytes)) {
                throw new InvalidIdentityTokenException("the signature is not the gateway's");
            }
        } catch (GeneralSecurityException e) {
            throw new InvalidIdentityTokenException("the signature is not the gateway's");
        }
        if (!issuer.equals(claims.get("iss"))) {
            throw new InvalidIdentityTokenException("another issuer");
        }
        if (!audience.equals(claims.get("aud"))) {
            throw new InvalidIdentityTokenException("for another audience");
        }
        if (!(claims.get("exp") instanceof Long exp) || !(claims.get("iat") instanceof Long iat)
                || !(claims.get("sub") instanceof String sub)) {
            throw new InvalidIdentityTokenException("exp, iat and sub are required");
        }
        long now = clock.instant().getEpochSecond();
        if (exp + skewSeconds < now) {
            throw new InvalidIdentityTokenException("expired");
        }
        if (iat - skewSeconds > now) {
            throw new InvalidIdentityTokenException("issued in the future");
        }
        Set<String> scopes = new LinkedHashSet<>();
        if (claims.get("scope") instanceof String scope && !scope.isBlank()) {
            scopes.addAll(java.util.Arrays.asList(scope.trim().split(" +")));
        }
        return new IdentityToken(issuer, audience, sub, scopes, claims.get("plan") instanceof String plan ? plan : null,
                Instant.ofEpochSecond(iat), Instant.ofEpochSecond(exp), String.valueOf(claims.get("jti")));
    }

    /** Builds an {@link IdentityTokenVerifier}: issuer and audience are required. */
    public static final class Builder {
        private final ECPublicKey key;
        private String issuer;
        private String audience;
        private Duration skew = Duration.ofSeconds(5);
        private Clock clock = Clock.systemUTC();

        private Builder(ECPublicKey key) {
            this.key = requireNonNull(key, "key");
        }

        /** The issuer the gateway signs as. */
        public Builder issuer(String issuer) {
            this.issuer = requireNonNull(issuer, "issuer");
            return this;
        }

        /** This service's name, as the gateway addresses its tokens. */
        public Builder audience(String audience) {
            this.audience = requireNonNull(audience, "audience");
            return this;
        }

        /** How far the token's times may be off this service's clock (5 seconds). */
        public Builder clockSkew(Duration skew) {
            this.skew = requireNonNull(skew, "skew");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        public IdentityTokenVerifier build() {
            if (issuer == null || audience == null) {
                throw new IllegalStateException("issuer and audience are required: issuer(\"edgekit\").audience(\"orders-service\")");
            }
            return new IdentityTokenVerifier(this);
        }
    }
}
