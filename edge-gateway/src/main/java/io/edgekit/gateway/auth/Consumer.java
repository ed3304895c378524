package io.edgekit.gateway.auth;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Identity;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A consumer of the API: an application or customer with an id, a plan (which rate limits and quotas
 * apply, see {@code io.edgekit.gateway.limits.Plans}) and the scopes it was granted. What an API key or a
 * password resolves to.
 */
public record Consumer(String id, String plan, Set<String> scopes) {
    public Consumer {
        requireNonNull(id, "id");
        requireNonNull(plan, "plan");
        scopes = Set.copyOf(scopes);
    }

    public static Consumer of(String id, String plan, String... scopes) {
        return new Consumer(id, plan, Set.of(scopes));
    }

    /** The identity of a request this consumer makes, with the plan and the credential's id as attributes. */
    Identity identity(String credential, String credentialId) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put("plan", plan);
        attributes.put("credential", credential);
        attributes.put(credential.equals("api-key") ? "key-id" : "user", credentialId);
        return new Identity(id, scopes, attributes);
    }
}
