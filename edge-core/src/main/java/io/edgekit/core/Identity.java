package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Set;

/**
 * Who a request acts for, as established by a {@link Policy}: a subject (user, client or consumer
 * id), the scopes it was granted and free-form attributes (issuer, plan, key id). Never a credential.
 */
public record Identity(String subject, Set<String> scopes, Map<String, String> attributes) {
    public Identity {
        requireNonNull(subject, "subject");
        scopes = Set.copyOf(scopes);
        attributes = Map.copyOf(attributes);
    }

    public static Identity of(String subject) {
        return new Identity(subject, Set.of(), Map.of());
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }
}
