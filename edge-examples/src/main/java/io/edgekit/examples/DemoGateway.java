package io.edgekit.examples;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.edgekit.core.Policy;
import io.edgekit.gateway.auth.ApiKeyAuth;
import io.edgekit.gateway.auth.Consumer;
import io.edgekit.gateway.auth.InMemoryApiKeys;
import io.edgekit.gateway.auth.JwtAuth;
import io.edgekit.gateway.auth.JwtKeys;
import io.edgekit.gateway.cors.Cors;
import io.edgekit.gateway.limits.LimitKey;
import io.edgekit.gateway.limits.Plans;
import io.edgekit.gateway.limits.RateLimit;
import io.edgekit.gateway.limits.RateLimiting;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;

/**
 * The demo's API-gateway role: a signing key made at start and one token signed with it (for
 * {@code /secure/**}), one API key of a consumer on the {@code demo} plan (for {@code /partner/**}), a
 * per-client rate limit (for {@code /api/**}) and CORS for {@code https://app.example.com} on {@code /api/}.
 */
final class DemoGateway {
    static final String ISSUER = "https://demo.edgekit.local";
    static final String AUDIENCE = "edgekit-demo";
    /** The demo's per-client limit on /api/**: a burst of 100, then 50 a second. */
    static final RateLimit API_LIMIT = RateLimit.perSecond(50).withBurst(100);

    final String token;
    final String apiKey;
    final Policy jwt;
    final Policy partnerKey;
    final Policy partnerPlan;
    final Policy apiLimit;
    final Cors cors;

    DemoGateway() {
        ECKey key;
        try {
            key = new ECKeyGenerator(Curve.P_256).keyID("demo-1").generate();
            SignedJWT signed = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("demo-1").build(),
                    new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("demo-user")
                            .claim("scope", "orders:read").issueTime(new Date())
                            .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(12)))).build());
            signed.sign(new ECDSASigner(key));
            this.token = signed.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make the demo's signing key", e);
        }
        this.jwt = JwtAuth.builder().issuer(ISSUER, JwtKeys.jwks(new JWKSet(key.toPublicJWK()).toString()))
                .audience(AUDIENCE).requireScopes("orders:read").forwardClaim("sub", "X-Auth-Subject").build();
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.apiKey = "demo-" + HexFormat.of().formatHex(random);
        this.partnerKey = ApiKeyAuth.builder(new InMemoryApiKeys().add("demo-key-1", apiKey,
                Consumer.of("demo-partner", "demo"))).build();
        this.partnerPlan = Plans.builder().plan("demo", RateLimit.perSecond(10)).build();
        this.apiLimit = RateLimiting.builder().key(LimitKey.clientIp()).limit(API_LIMIT).build();
        this.cors = Cors.builder().pathPrefix("/api/").allowOrigins("https://app.example.com")
                .allowMethods("GET", "POST").allowHeaders("content-type").exposeHeaders("RateLimit", "RateLimit-Policy")
                .build();
    }
}
