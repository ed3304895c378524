package io.edgekit.gateway.auth;

import io.edgekit.core.Decision;
import io.edgekit.core.Response;

/**
 * The answers of a bearer-token check (RFC 6750 section 3): 401 with a bare challenge when no credential
 * came, 401 {@code invalid_token} for a bad one, 400 {@code invalid_request} for a malformed request, 403
 * {@code insufficient_scope} naming the scope missing. Each is problem+json with the same description.
 */
final class Challenges {
    private Challenges() {
    }

    static Decision missing(String realm) {
        return Decision.deny(Response.problem(401, "Unauthorized", "a bearer token is required")
                .withHeader("WWW-Authenticate", "Bearer realm=\"" + realm + "\""));
    }

    static Decision invalidToken(String realm, String why) {
        return challenge(401, "Unauthorized", realm, "invalid_token", why, null);
    }

    static Decision invalidRequest(String realm, String why) {
        return challenge(400, "Bad Request", realm, "invalid_request", why, null);
    }

    static Decision insufficientScope(String realm, String scope) {
        return challenge(403, "Forbidden", realm, "insufficient_scope", "the token lacks scope " + scope, scope);
    }

    static Decision unavailable(String why) {
        return Decision.deny(Response.problem(503, "Service Unavailable", why).withHeader("Retry-After", "5"));
    }

    private static Decision challenge(int status, String title, String realm, String error, String why, String scope) {
        String challenge = "Bearer realm=\"" + realm + "\", error=\"" + error + "\", error_description=\""
                + why.replace('"', '\'') + "\"" + (scope == null ? "" : ", scope=\"" + scope + "\"");
        return Decision.deny(Response.problem(status, title, why).withHeader("WWW-Authenticate", challenge));
    }
}
