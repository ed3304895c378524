package io.edgekit.gateway.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.edgekit.core.Decision;
import io.edgekit.core.Exchange;
import io.edgekit.core.Identity;
import io.edgekit.core.Policy;
import io.edgekit.core.Request;
import io.edgekit.core.internal.HttpTokens;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Bearer JWT authentication (RFC 7519, RFC 6750): a signed token from the {@code Authorization} header
 * (or, only when allowed, one query parameter), verified with its issuer's keys, its claims checked on the
 * policy's clock with a skew allowance, and the scopes a route needs required. An allowed request carries
 * an {@link Identity} (subject, scopes, issuer and the selected claims as attributes) and the claims chosen
 * for forwarding as request fields; any copy of those fields a client sent is removed first by the edge,
 * whatever its case or {@code _} spelling ({@link #ownedHeaders}).
 *
 * <p>Refused: no token (401, a bare challenge), more than one credential or a token in the query string
 * where none is allowed (400 {@code invalid_request}), a token over the size bound, unsigned ({@code none})
 * or signed with an algorithm its key's type does not allow (an HMAC over a public key), naming its own key
 * ({@code jku}, {@code x5u}, {@code jwk}, {@code x5c}: never fetched or trusted), with {@code crit}
 * parameters, from an issuer not configured, with no key to check it, a bad signature, no {@code exp} or
 * {@code sub}, expired, not yet valid, issued in the future, for another audience, or missing a required
 * claim (401 {@code invalid_token}); a valid token without a required scope gets 403
 * {@code insufficient_scope}. Verified tokens are cached until they expire, in a cache bounded by the bytes
 * of the tokens it holds; each hit checks the times again. No token or secret is ever logged.
 */
public final class JwtAuth implements Policy {
    private final Map<String, JwtKeys> issuers;
    private final Set<String> audiences;
    private final Set<String> requiredScopes;
    private final List<String> requiredClaims;
    private final List<String> scopeClaims;
    private final Map<String, String> forwardedClaims;
    private final Map<String, String> attributeClaims;
    private final long skewSeconds;
    private final Clock clock;
    private final String queryParameter;
    private final int maxTokenBytes;
    private final String realm;
    private final Cache<String, VerifiedToken> verified;

    private JwtAuth(Builder b) {
        this.issuers = Map.copyOf(b.issuers);
        this.audiences = Set.copyOf(b.audiences);
        this.requiredScopes = Set.copyOf(b.requiredScopes);
        this.requiredClaims = List.copyOf(b.requiredClaims);
        this.scopeClaims = List.copyOf(b.scopeClaims);
        this.forwardedClaims = Map.copyOf(b.forwardedClaims);
        this.attributeClaims = Map.copyOf(b.attributeClaims);
        this.skewSeconds = b.skew.toSeconds();
        this.clock = b.clock;
        this.queryParameter = b.queryParameter;
        this.maxTokenBytes = b.maxTokenBytes;
        this.realm = b.realm;
        this.verified = Caffeine.newBuilder().executor(Runnable::run)
                .maximumWeight(b.cacheBytes)
                .weigher((String token, VerifiedToken v) -> token.length() + 256)
                .expireAfter(new com.github.benmanes.caffeine.cache.Expiry<String, VerifiedToken>() {
                    @Override
                    public long expireAfterCreate(String token, VerifiedToken v, long currentTime) {
                        long seconds = Math.max(1, v.expiresAt() + skewSeconds - clock.millis() / 1000);
                        return TimeUnit.SECONDS.toNanos(Math.min(seconds, 3600));
                    }

                    @Override
                    public long expireAfterUpdate(String token, VerifiedToken v, long currentTime, long duration) {
                        return duration;
                    }

                    @Override
                    public long expireAfterRead(String token, VerifiedToken v, long currentTime, long duration) {
                        return duration;
                    }
                })
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "jwt" + issuers.keySet();
    }

    @Override
    public Set<String> ownedHeaders() {
        return Set.copyOf(forwardedClaims.values());
    }

    @Override
    public CompletionStage<Decision> evaluate(Exchange exchange, Request request) {
        List<String> authorization = request.headers().all("authorization");
        String inQuery = queryParameter != null ? request.queryParam(queryParameter)
                : request.query().isEmpty() ? null : request.queryParam("access_token");
        if (inQuery != null && queryParameter == null) {
            return Challenges.invalidRequest(realm, "tokens in the query string are not accepted here").completed();
        }
        int credentials = authorization.size() + (inQuery != null ? 1 : 0);
        if (credentials == 0) {
            return Challenges.missing(realm).completed();
        }
        if (credentials > 1) {
            return Challenges.invalidRequest(realm, "more than one credential").completed();
        }
        String token = inQuery != null ? inQuery : Bearer.token(authorization.get(0));
        if (token == null) {
            return Challenges.invalidRequest(realm, "expected Authorization: Bearer <token>").completed();
        }
        if (token.length() > maxTokenBytes) {
            return Challenges.invalidToken(realm, "token larger than " + maxTokenBytes + " bytes").completed();
        }
        long now = clock.millis() / 1000;
        VerifiedToken known = verified.getIfPresent(token);
        if (known != null) {
            return decide(known, now).completed();
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            return Challenges.invalidToken(realm, "not a signed JWT").completed();
        }
        String refused = refusedHeader(jwt.getHeader());
        if (refused != null) {
            return Challenges.invalidToken(realm, refused).completed();
        }
        JwtKeys keys = claims.getIssuer() == null ? null : issuers.get(claims.getIssuer());
        if (keys == null) {
            return Challenges.invalidToken(realm, "issuer not accepted").completed();
        }
        String kid = jwt.getHeader().getKeyID();
        return keys.keysFor(kid).thenApply(set -> {
            if (set.keys.isEmpty()) {
                return Challenges.unavailable("the issuer's keys cannot be fetched now");
            }
            List<VerificationKey> candidates = set.candidates(kid);
            if (candidates.isEmpty()) {
                return Challenges.invalidToken(realm, "no key of the issuer has the token's kid");
            }
            boolean signed = false;
            for (VerificationKey key : candidates) {
                if (key.verifies(jwt)) {
                    signed = true;
                    break;
                }
            }
            if (!signed) {
                return Challenges.invalidToken(realm, "the signature does not verify with the issuer's keys");
            }
            String problem = checkClaims(claims, now);
            if (problem != null) {
                return Challenges.invalidToken(realm, problem);
            }
            VerifiedToken result = verifiedToken(claims);
            verified.put(token, result);
            return decide(result, now);
        });
    }

    /** Why the header is refused before any key is looked at, or null. */
    private static String refusedHeader(JWSHeader header) {
        if (header.getJWKURL() != null || header.getX509CertURL() != null || header.getJWK() != null
                || header.getX509CertChain() != null) {
            return "tokens naming their own keys (jku, x5u, jwk, x5c) are refused";
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            return "critical header parameters not understood: " + header.getCriticalParams();
        }
        return null;
    }

    /** Why the claims are refused at {@code now} (epoch seconds), or null. */
    private String checkClaims(JWTClaimsSet claims, long now) {
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return "the token has no exp";
        }
        if (claims.getSubject() == null) {
            return "the token has no sub";
        }
        Date nbf = claims.getNotBeforeTime();
        Date iat = claims.getIssueTime();
        if (exp.getTime() / 1000 + skewSeconds < now) {
            return "the token expired";
        }
        if (nbf != null && nbf.getTime() / 1000 - skewSeconds > now) {
            return "the token is not valid yet";
        }
        if (iat != null && iat.getTime() / 1000 - skewSeconds > now) {
            return "the token was issued in the future";
        }
        if (!audiences.isEmpty()) {
            List<String> aud = claims.getAudience();
            boolean match = false;
            for (String a : aud) {
                match |= audiences.contains(a);
            }
            if (!match) {
                return "the token is for another audience";
            }
        }
        for (String claim : requiredClaims) {
            if (claims.getClaim(claim) == null) {
                return "the token lacks claim " + claim;
            }
        }
        return null;
    }

    private VerifiedToken verifiedToken(JWTClaimsSet claims) {
        Set<String> scopes = new LinkedHashSet<>();
        for (String claim : scopeClaims) {
            Object value = claims.getClaim(claim);
            if (value instanceof String text) {
                Bearer.addScopes(text, scopes);
            } else if (value instanceof List<?> list) {
                list.forEach(item -> scopes.add(String.valueOf(item)));
            }
        }
        Map<String, String> attributes = new HashMap<>();
        attributes.put("iss", claims.getIssuer());
        attributeClaims.forEach((claim, attribute) -> {
            String value = text(claims.getClaim(claim));
            if (value != null) {
                attributes.put(attribute, value);
            }
        });
        List<String[]> forwarded = new ArrayList<>();
        forwardedClaims.forEach((claim, header) -> {
            String value = text(claims.getClaim(claim));
            if (value != null && HttpTokens.isFieldValue(value)) {
                forwarded.add(new String[] {header, value});
            }
        });
        Date nbf = claims.getNotBeforeTime();
        return new VerifiedToken(new Identity(claims.getSubject(), scopes, attributes), List.copyOf(forwarded),
                claims.getExpirationTime().getTime() / 1000, nbf == null ? 0 : nbf.getTime() / 1000);
    }

    private Decision decide(VerifiedToken token, long now) {
        if (token.expiresAt() + skewSeconds < now) {
            return Challenges.invalidToken(realm, "the token expired");
        }
        if (token.notBefore() - skewSeconds > now) {
            return Challenges.invalidToken(realm, "the token is not valid yet");
        }
        for (String scope : requiredScopes) {
            if (!token.identity().hasScope(scope)) {
                return Challenges.insufficientScope(realm, scope);
            }
        }
        Decision allow = Decision.allow().withIdentity(token.identity());
        for (String[] field : token.forwarded()) {
            allow = allow.withRequestHeader(field[0], field[1]);
        }
        return allow;
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }

    /** Builds a {@link JwtAuth}: at least one issuer, and audiences unless {@link #anyAudience}. */
    public static final class Builder {
        private final Map<String, JwtKeys> issuers = new LinkedHashMap<>();
        private final Set<String> audiences = new LinkedHashSet<>();
        private boolean anyAudience;
        private final Set<String> requiredScopes = new LinkedHashSet<>();
        private final List<String> requiredClaims = new ArrayList<>();
        private List<String> scopeClaims = List.of("scope", "scp");
        private final Map<String, String> forwardedClaims = new LinkedHashMap<>();
        private final Map<String, String> attributeClaims = new LinkedHashMap<>();
        private Duration skew = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private String queryParameter;
        private int maxTokenBytes = 8 * 1024;
        private String realm = "edgekit";
        private long cacheBytes = 16L * 1024 * 1024;

        /** Accepts tokens whose {@code iss} is {@code issuer}, checked with {@code keys}. Several issuers may be added. */
        public Builder issuer(String issuer, JwtKeys keys) {
            requireNonNull(issuer, "issuer");
            requireNonNull(keys, "keys");
            if (issuers.putIfAbsent(issuer, keys) != null) {
                throw new IllegalArgumentException("issuer: \"" + issuer + "\" added twice (expected: one JwtKeys per issuer;"
                        + " JwtKeys.jwks takes a set of several keys)");
            }
            return this;
        }

        /** An audience this API accepts: a token's {@code aud} (a string or a list) must hold one of them. */
        public Builder audience(String... audiences) {
            for (String audience : audiences) {
                this.audiences.add(requireNonNull(audience, "audience"));
            }
            return this;
        }

        /** Accepts tokens for any audience (not advised: a token for another API is then good here too). */
        public Builder anyAudience() {
            this.anyAudience = true;
            return this;
        }

        /** Scopes every token must hold, or get 403 {@code insufficient_scope}. */
        public Builder requireScopes(String... scopes) {
            for (String scope : scopes) {
                requiredScopes.add(requireNonNull(scope, "scope"));
            }
            return this;
        }

        /** Claims every token must hold, whatever their value. */
        public Builder requireClaims(String... claims) {
            for (String claim : claims) {
                requiredClaims.add(requireNonNull(claim, "claim"));
            }
            return this;
        }

        /**
         * The claims scopes (or roles) are read from: a space-separated string or a list each ({@code scope}
         * and {@code scp} by default).
         */
        public Builder scopeClaims(String... claims) {
            this.scopeClaims = List.of(claims);
            return this;
        }

        /** Forwards claim {@code claim} upstream as field {@code header}; a client's copy of the field is removed. */
        public Builder forwardClaim(String claim, String header) {
            requireNonNull(claim, "claim");
            forwardedClaims.put(claim, HttpTokens.requireFieldName("forwardClaim", header));
            return this;
        }

        /** Keeps claim {@code claim} in the identity as attribute {@code attribute} (a plan, a tenant, a client id). */
        public Builder claimAttribute(String claim, String attribute) {
            attributeClaims.put(requireNonNull(claim, "claim"), requireNonNull(attribute, "attribute"));
            return this;
        }

        /** How far {@code exp}, {@code nbf} and {@code iat} may be off the clock (30 seconds). */
        public Builder clockSkew(Duration skew) {
            requireNonNull(skew, "skew");
            if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("clockSkew: " + skew + " (expected: 0 to 5 minutes)");
            }
            this.skew = skew;
            return this;
        }

        /** The wall clock the token times are checked on (the system's UTC clock). */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** Also takes the token from query parameter {@code name} (never by default: query strings get logged). */
        public Builder tokenFromQuery(String name) {
            this.queryParameter = requireNonNull(name, "name");
            return this;
        }

        /** The largest token accepted, in bytes (8 KiB). */
        public Builder maxTokenBytes(int bytes) {
            if (bytes < 64) {
                throw new IllegalArgumentException("maxTokenBytes: " + bytes + " (expected: >= 64)");
            }
            this.maxTokenBytes = bytes;
            return this;
        }

        /** The realm of the {@code WWW-Authenticate} challenges ({@code edgekit}). */
        public Builder realm(String realm) {
            if (!realm.matches("[\\x20-\\x7e&&[^\"\\\\]]+")) {
                throw new IllegalArgumentException("realm: \"" + realm + "\" (expected: visible characters, no quotes)");
            }
            this.realm = realm;
            return this;
        }

        /** The bound of the verified-token cache, in bytes of the tokens it holds (16 MiB). */
        public Builder cacheBytes(long bytes) {
            this.cacheBytes = bytes;
            return this;
        }

        public JwtAuth build() {
            if (issuers.isEmpty()) {
                throw new IllegalStateException("no issuer: add one with issuer(\"https://id.example.com\", keys)");
            }
            if (audiences.isEmpty() && !anyAudience) {
                throw new IllegalStateException("no audience: add this API's with audience(\"orders-api\"), or call"
                        + " anyAudience()");
            }
            return new JwtAuth(this);
        }
    }
}
