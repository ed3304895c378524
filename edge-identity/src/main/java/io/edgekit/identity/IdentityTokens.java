package io.edgekit.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Identity tokens: compact JWTs (RFC 7519) signed with ES256 (ECDSA P-256, RFC 7518), with claims
 * {@code iss}, {@code aud}, {@code sub}, {@code scope} (space-separated), {@code plan}, {@code iat},
 * {@code exp} and {@code jti}. The gateway signs one per request, good for seconds; a service checks it with
 * {@link IdentityTokenVerifier}, which needs only the gateway's public key and the JDK.
 */
public final class IdentityTokens {
    static final String ALGORITHM = "SHA256withECDSAinP1363Format";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private IdentityTokens() {
    }

    /** A new P-256 key pair for the gateway to sign with; hand the services its public key. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK always has EC P-256", e);
        }
    }

    /** Signs an identity token for {@code audience} about {@code subject}, good for {@code lifetime} from {@code now}. */
    public static String sign(ECPrivateKey key, String keyId, String issuer, String audience, String subject,
            Iterable<String> scopes, String plan, Instant now, Duration lifetime) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "ES256");
        header.put("typ", "edge-identity+jwt");
        if (keyId != null) {
            header.put("kid", keyId);
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("aud", audience);
        claims.put("sub", subject);
        claims.put("scope", String.join(" ", scopes));
        if (plan != null) {
            claims.put("plan", plan);
        }
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        String input = B64.encodeToString(FlatJson.write(header).getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(FlatJson.write(claims).getBytes(StandardCharsets.UTF_8));
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with this key: " + e.getMessage(), e);
        }
    }
}
