package io.edgekit.gateway.auth;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Decision;
import io.edgekit.core.Exchange;
import io.edgekit.core.Identity;
import io.edgekit.core.Policy;
import io.edgekit.core.Request;
import io.edgekit.identity.IdentityTokens;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Forwards the identity an auth policy established to the upstream as a short-lived token signed with the
 * gateway's own key ({@link IdentityTokens}: ES256, seconds long, for one audience), in field
 * {@code X-Edge-Identity} by default. The service checks it with {@code IdentityTokenVerifier} from the
 * small {@code edge-identity} artifact, so edge auth is not the only auth: a request that bypassed the edge
 * carries no identity it could believe. Put it after the auth policies. A request without an identity goes
 * on without the field; a client's own copy of the field is always removed ({@link #ownedHeaders}).
 */
public final class IdentityForwarding implements Policy {
    private final ECPrivateKey key;
    private final String keyId;
    private final String issuer;
    private final String audience;
    private final String header;
    private final Duration lifetime;
    private final Clock clock;

    private IdentityForwarding(Builder b) {
        this.key = b.key;
        this.keyId = b.keyId;
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.header = b.header;
        this.lifetime = b.lifetime;
        this.clock = b.clock;
    }

    public static Builder builder(ECPrivateKey key) {
        return new Builder(key);
    }

    @Override
    public String name() {
        return "forwardIdentity(" + audience + ")";
    }

    @Override
    public Set<String> ownedHeaders() {
        return Set.of(header);
    }

    @Override
    public CompletionStage<Decision> evaluate(Exchange exchange, Request request) {
        Identity identity = exchange.identity().orElse(null);
        if (identity == null) {
            return Decision.allow().completed();
        }
        String token = IdentityTokens.sign(key, keyId, issuer, audience, identity.subject(), identity.scopes(),
                identity.attributes().get("plan"), clock.instant(), lifetime);
        return Decision.allow().withRequestHeader(header, token).completed();
    }

    /** Builds an {@link IdentityForwarding}: issuer and audience are required. */
    public static final class Builder {
        private final ECPrivateKey key;
        private String keyId;
        private String issuer;
        private String audience;
        private String header = "X-Edge-Identity";
        private Duration lifetime = Duration.ofSeconds(60);
        private Clock clock = Clock.systemUTC();

        private Builder(ECPrivateKey key) {
            this.key = requireNonNull(key, "key");
        }

        public Builder keyId(String keyId) {
            this.keyId = keyId;
            return this;
        }

        /** The issuer services check for ({@code edgekit}, say). */
        public Builder issuer(String issuer) {
            this.issuer = requireNonNull(issuer, "issuer");
            return this;
        }

        /** The service the tokens are for. */
        public Builder audience(String audience) {
            this.audience = requireNonNull(audience, "audience");
            return this;
        }

        public Builder header(String header) {
            this.header = io.edgekit.core.internal.HttpTokens.requireFieldName("header", header);
            return this;
        }

        /** How long a token is good (60 seconds; at most 10 minutes). */
        public Builder lifetime(Duration lifetime) {
            requireNonNull(lifetime, "lifetime");
            if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("lifetime: " + lifetime + " (expected: up to 10 minutes)");
            }
            this.lifetime = lifetime;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        public IdentityForwarding build() {
            if (issuer == null || audience == null) {
                throw new IllegalStateException("issuer and audience are required: issuer(\"edgekit\").audience(\"orders-service\")");
            }
            return new IdentityForwarding(this);
        }
    }
}
