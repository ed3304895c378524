package io.edgekit.identity;

import java.time.Instant;
import java.util.Set;

/**
 * Who a request acts for, as the gateway established and signed it: the consumer or user (subject), the
 * scopes it was granted, its plan, and for whom and how long the token is good.
 */
public record IdentityToken(String issuer, String audience, String subject, Set<String> scopes, String plan,
        Instant issuedAt, Instant expiresAt, String id) {
    public IdentityToken {
        scopes = Set.copyOf(scopes);
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }
}
