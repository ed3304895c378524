package io.edgekit.benchmarks.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Keys made at start and long-lived tokens signed with them, for the gateway benchmarks and bench server. */
public final class GatewayKeys {
    public static final String ISSUER = "https://bench.edgekit.local";
    public static final String AUDIENCE = "bench";

    public final ECKey ec;
    public final RSAKey rsa;

    public GatewayKeys() {
        try {
            ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
            rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key set. */
    public String jwks() {
        return new JWKSet(List.<JWK>of(ec.toPublicJWK(), rsa.toPublicJWK())).toString();
    }

    /** A token signed with {@code algorithm} (ES256 or RS256), good for a day, for {@code subject}. */
    public String token(JWSAlgorithm algorithm, String subject) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(subject)
                .claim("scope", "bench").issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plus(Duration.ofDays(1)))).build();
        boolean es = algorithm.equals(JWSAlgorithm.ES256);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(es ? "ec" : "rsa").build(), claims);
        try {
            jwt.sign(es ? new ECDSASigner(ec) : new RSASSASigner(rsa));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
