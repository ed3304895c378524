package io.edgekit.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

/** Real keys made at test time, and tokens minted with them (Nimbus signers; Ed25519 with the JDK). */
final class Tokens {
    static final String ISSUER = "https://id.example.test";
    static final String AUDIENCE = "orders-api";
    static final RSAKey RSA = generate(() -> new RSAKeyGenerator(2048).keyID("r1").generate());
    static final RSAKey RSA_2 = generate(() -> new RSAKeyGenerator(2048).keyID("r2").generate());
    static final ECKey P256 = generate(() -> new ECKeyGenerator(Curve.P_256).keyID("e256").generate());
    static final ECKey P384 = generate(() -> new ECKeyGenerator(Curve.P_384).keyID("e384").generate());
    static final ECKey P521 = generate(() -> new ECKeyGenerator(Curve.P_521).keyID("e521").generate());
    static final KeyPair ED = ed25519();
    static final OctetKeyPair ED_PUBLIC = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(rawEd25519()))
            .keyID("ed1").build();
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            .getBytes(StandardCharsets.US_ASCII);

    private Tokens() {
    }

    interface KeyMaker<T> {
        T make() throws JOSEException;
    }

    private static <T> T generate(KeyMaker<T> maker) {
        try {
            return maker.make();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] rawEd25519() {
        byte[] encoded = ED.getPublic().getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }

    /** The public JWKS of the asymmetric keys. */
    static String jwks(JWK... keys) {
        return new JWKSet(Arrays.stream(keys).map(JWK::toPublicJWK).toList()).toString();
    }

    static String allPublicKeys() {
        return jwks(RSA, P256, P384, P521, ED_PUBLIC);
    }

    /** Claims valid for five minutes from {@code now}, for the test issuer and audience. */
    static JWTClaimsSet.Builder claims(Instant now) {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("alice")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                .claim("scope", "orders:read orders:write").claim("plan", "gold");
    }

    static String sign(JWSAlgorithm algorithm, String kid, JWTClaimsSet claims) {
        return sign(algorithm, kid, claims, header -> { });
    }

    static String sign(JWSAlgorithm algorithm, String kid, JWTClaimsSet claims, Consumer<JWSHeader.Builder> extra) {
        JWSHeader.Builder header = new JWSHeader.Builder(algorithm).keyID(kid);
        extra.accept(header);
        try {
            if (algorithm.equals(JWSAlgorithm.EdDSA)) {
                return signEd25519(header.build(), claims);
            }
            SignedJWT jwt = new SignedJWT(header.build(), claims);
            jwt.sign(signer(algorithm, kid));
            return jwt.serialize();
        } catch (JOSEException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWSSigner signer(JWSAlgorithm algorithm, String kid) throws JOSEException {
        if (JWSAlgorithm.Family.HMAC_SHA.contains(algorithm)) {
            return new MACSigner(SECRET);
        }
        if (JWSAlgorithm.Family.RSA.contains(algorithm)) {
            return new RSASSASigner(kid.equals("r2") ? RSA_2 : RSA);
        }
        return new ECDSASigner(List.of(P256, P384, P521).stream().filter(k -> k.getKeyID().equals(kid)).findFirst()
                .orElse(P256));
    }

    private static String signEd25519(JWSHeader header, JWTClaimsSet claims) throws GeneralSecurityException {
        String input = header.toBase64URL() + "." + Base64URL.encode(claims.toString());
        Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(ED.getPrivate());
        signature.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64URL.encode(signature.sign());
    }

    /** An unsigned token ({@code alg: none}). */
    static String unsigned(JWTClaimsSet claims) {
        return Base64URL.encode("{\"alg\":\"none\"}") + "." + Base64URL.encode(claims.toString()) + ".";
    }

    /** An HS256 token whose secret is the RSA public key's bytes, naming the RSA key: the confusion attack. */
    static String confused(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("r1").build(), claims);
            jwt.sign(new MACSigner(RSA.toRSAPublicKey().getEncoded()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
