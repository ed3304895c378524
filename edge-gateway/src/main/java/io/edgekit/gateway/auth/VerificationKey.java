package io.edgekit.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Set;

/**
 * One key a token may be signed with, bound to the algorithms its type allows: RSA keys to RS256/384/512
 * and PS256/384/512, an EC key to the one ES algorithm of its curve, an Ed25519 key to EdDSA, a configured
 * secret to HS256/384/512 (each no longer than the secret allows). A token whose {@code alg} is not among
 * its key's is refused before any signature is checked, so no algorithm can stand in for another (an HMAC
 * over a public key, {@code none}). When the JWK names an {@code alg}, only that one. Immutable.
 */
final class VerificationKey {
    private static final Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    /** The X.509 prefix of a raw Ed25519 public key (RFC 8410). */
    private static final byte[] ED25519_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    final String kid;
    final Set<JWSAlgorithm> algorithms;
    private final JWSVerifier verifier;
    private final PublicKey ed25519;

    private VerificationKey(String kid, Set<JWSAlgorithm> algorithms, JWSVerifier verifier, PublicKey ed25519) {
        this.kid = kid;
        this.algorithms = algorithms;
        this.verifier = verifier;
        this.ed25519 = ed25519;
    }

    /** A key from a JWK: RSA, EC (P-256, P-384, P-521) or OKP Ed25519 public keys; a key for encryption is refused. */
    static VerificationKey of(JWK jwk) throws JOSEException {
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
            throw new JOSEException("key " + jwk.getKeyID() + " is not for signatures (use " + jwk.getKeyUse() + ")");
        }
        VerificationKey key;
        if (jwk instanceof RSAKey rsa) {
            key = new VerificationKey(jwk.getKeyID(), RSA, new RSASSAVerifier(rsa.toRSAPublicKey()), null);
        } else if (jwk instanceof ECKey ec) {
            key = new VerificationKey(jwk.getKeyID(), Set.of(ecAlgorithm(ec.getCurve())),
                    new ECDSAVerifier(ec.toECPublicKey()), null);
        } else if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            key = new VerificationKey(jwk.getKeyID(), Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519), null,
                    ed25519(okp.getDecodedX()));
        } else if (jwk instanceof OctetSequenceKey) {
            throw new JOSEException("key " + jwk.getKeyID() + " is a secret: configure secrets with JwtKeys.hmac, never"
                    + " in a key set that may be published");
        } else {
            throw new JOSEException("key " + jwk.getKeyID() + ": unsupported key type " + jwk.getKeyType());
        }
        return jwk.getAlgorithm() == null ? key : key.only(JWSAlgorithm.parse(jwk.getAlgorithm().getName()));
    }

    /** A key from a JDK public key (RSA, EC or Ed25519). */
    static VerificationKey of(String kid, PublicKey publicKey) throws JOSEException {
        if (publicKey instanceof RSAPublicKey rsa) {
            return new VerificationKey(kid, RSA, new RSASSAVerifier(rsa), null);
        }
        if (publicKey instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            return new VerificationKey(kid, Set.of(ecAlgorithm(curve)), new ECDSAVerifier(ec), null);
        }
        if ("Ed25519".equals(publicKey.getAlgorithm()) || "EdDSA".equals(publicKey.getAlgorithm())) {
            return new VerificationKey(kid, Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519), null, publicKey);
        }
        throw new JOSEException("unsupported public key algorithm " + publicKey.getAlgorithm());
    }

    /** An HMAC secret: HS256 from 32 bytes, HS384 from 48, HS512 from 64 (RFC 7518 section 3.2). */
    static VerificationKey hmac(String kid, byte[] secret) throws JOSEException {
        if (secret.length < 32) {
            throw new JOSEException("an HMAC secret needs at least 32 bytes (256 bits); this one has " + secret.length);
        }
        Set<JWSAlgorithm> algorithms = secret.length >= 64 ? Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)
                : secret.length >= 48 ? Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384) : Set.of(JWSAlgorithm.HS256);
        return new VerificationKey(kid, algorithms, new MACVerifier(secret.clone()), null);
    }

    private VerificationKey only(JWSAlgorithm algorithm) throws JOSEException {
        if (!algorithms.contains(algorithm)) {
            throw new JOSEException("key " + kid + " names alg " + algorithm + ", which its type does not allow");
        }
        return new VerificationKey(kid, Set.of(algorithm), verifier, ed25519);
    }

    private static JWSAlgorithm ecAlgorithm(Curve curve) throws JOSEException {
        if (Curve.P_256.equals(curve)) {
            return JWSAlgorithm.ES256;
        }
        if (Curve.P_384.equals(curve)) {
            return JWSAlgorithm.ES384;
        }
        if (Curve.P_521.equals(curve)) {
            return JWSAlgorithm.ES512;
        }
        throw new JOSEException("unsupported EC curve " + curve);
    }

    private static PublicKey ed25519(byte[] raw) throws JOSEException {
        if (raw.length != 32) {
            throw new JOSEException("an Ed25519 public key has 32 bytes, not " + raw.length);
        }
        byte[] encoded = new byte[ED25519_PREFIX.length + 32];
        System.arraycopy(ED25519_PREFIX, 0, encoded, 0, ED25519_PREFIX.length);
        System.arraycopy(raw, 0, encoded, ED25519_PREFIX.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (GeneralSecurityException e) {
            throw new JOSEException("cannot read the Ed25519 key", e);
        }
    }

    /** Whether {@code token}'s algorithm is this key's and its signature checks out. */
    boolean verifies(SignedJWT token) {
        JWSAlgorithm algorithm = token.getHeader().getAlgorithm();
        if (!algorithms.contains(algorithm)) {
            return false;
        }
        try {
            if (ed25519 != null) {
                Signature signature = Signature.getInstance("Ed25519");
                signature.initVerify(ed25519);
                signature.update(token.getSigningInput());
                return signature.verify(token.getSignature().decode());
            }
            return verifier.verify(token.getHeader(), token.getSigningInput(), token.getSignature());
        } catch (JOSEException | GeneralSecurityException e) {
            return false;
        }
    }
}
