package io.edgekit.gateway.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the keys of an issuer come from: a static JWKS, PEM public keys or certificates, an HMAC secret, or
 * a JWKS URL ({@link RemoteJwks}). Keys from a key set are bound to the algorithms their type allows (see
 * the README's gateway section); a secret is only ever an HMAC key.
 */
public abstract class JwtKeys {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN (PUBLIC KEY|CERTIFICATE)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    JwtKeys() {
    }

    /** The keys now (a remote set fetches them on first use). */
    abstract CompletionStage<KeySet> keys();

    /** The keys for a token naming {@code kid}: a remote set that does not know it may fetch again. */
    CompletionStage<KeySet> keysFor(String kid) {
        return keys();
    }

    /** The public keys of a JSON Web Key Set (RFC 7517): RSA, EC (P-256, P-384, P-521), Ed25519. */
    public static JwtKeys jwks(String json) {
        requireNonNull(json, "json");
        try {
            return new Fixed(keysOf(JWKSet.parse(json)));
        } catch (ParseException e) {
            throw new IllegalArgumentException("jwks: not a JSON Web Key Set: " + e.getMessage(), e);
        }
    }

    /**
     * Public keys or certificates in PEM ({@code -----BEGIN PUBLIC KEY-----} or
     * {@code -----BEGIN CERTIFICATE-----}), all under key id {@code kid} (null: tokens without a kid, or any).
     */
    public static JwtKeys pem(String kid, String pem) {
        requireNonNull(pem, "pem");
        List<VerificationKey> keys = new ArrayList<>();
        Matcher matcher = PEM.matcher(pem);
        while (matcher.find()) {
            byte[] der = Base64.getMimeDecoder().decode(matcher.group(2));
            try {
                PublicKey key = matcher.group(1).equals("CERTIFICATE")
                        ? CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der))
                                .getPublicKey()
                        : publicKey(der);
                keys.add(VerificationKey.of(kid, key));
            } catch (GeneralSecurityException | JOSEException e) {
                throw new IllegalArgumentException("pem: " + e.getMessage(), e);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("pem: no PUBLIC KEY or CERTIFICATE block (expected: -----BEGIN PUBLIC KEY-----"
                    + " ... -----END PUBLIC KEY-----)");
        }
        return new Fixed(keys);
    }

    /**
     * An HMAC secret of at least 32 bytes, for HS256 (HS384 from 48 bytes, HS512 from 64), under key id
     * {@code kid} (null: tokens without a kid, or any).
     */
    public static JwtKeys hmac(String kid, byte[] secret) {
        requireNonNull(secret, "secret");
        try {
            return new Fixed(List.of(VerificationKey.hmac(kid, secret)));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("hmac: " + e.getMessage(), e);
        }
    }

    /** A JWKS URL, fetched on first use and refreshed in the background: see {@link RemoteJwks}. */
    public static RemoteJwks.Builder remote(URI uri) {
        return RemoteJwks.builder(uri);
    }

    static List<VerificationKey> keysOf(JWKSet set) {
        List<VerificationKey> keys = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            try {
                keys.add(VerificationKey.of(jwk));
            } catch (JOSEException e) {
                throw new IllegalArgumentException("jwks: " + e.getMessage(), e);
            }
        }
        return keys;
    }

    private static PublicKey publicKey(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("not an RSA, EC or Ed25519 public key", last);
    }

    /** A set given once. */
    private static final class Fixed extends JwtKeys {
        private final CompletableFuture<KeySet> keys;

        Fixed(List<VerificationKey> keys) {
            this.keys = CompletableFuture.completedFuture(new KeySet(keys));
        }

        @Override
        CompletionStage<KeySet> keys() {
            return keys;
        }
    }
}
