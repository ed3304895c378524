package io.edgekit.gateway.auth;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Decision;
import io.edgekit.core.Exchange;
import io.edgekit.core.Policy;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * API-key authentication: the key from a header ({@code X-API-Key} by default) or, when configured, a
 * query parameter; looked up by its SHA-256 in an {@link ApiKeyStore}; an allowed request carries its
 * consumer's identity (subject = consumer id, the consumer's scopes, attributes {@code plan},
 * {@code key-id}). No key: 401; an unknown or revoked key: 401; two keys (two fields, or a field and the
 * parameter): 400. Every answer is problem+json; keys are never logged, only their ids.
 */
public final class ApiKeyAuth implements Policy {
    private final String header;
    private final String queryParameter;
    private final ApiKeyStore store;
    private final String challenge;

    private ApiKeyAuth(Builder b) {
        this.header = b.header;
        this.queryParameter = b.queryParameter;
        this.store = b.store;
        this.challenge = "ApiKey realm=\"" + b.realm + "\", header=\"" + b.header + "\"";
    }

    public static Builder builder(ApiKeyStore store) {
        return new Builder(store);
    }

    @Override
    public String name() {
        return "apiKey(" + header + ")";
    }

    @Override
    public CompletionStage<Decision> evaluate(Exchange exchange, Request request) {
        List<String> fields = request.headers().all(header);
        String inQuery = queryParameter == null ? null : request.queryParam(queryParameter);
        int count = fields.size() + (inQuery != null ? 1 : 0);
        if (count == 0) {
            return refuse(401, "Unauthorized", "an API key is required in " + header).completed();
        }
        if (count > 1) {
            return refuse(400, "Bad Request", "more than one API key").completed();
        }
        String key = inQuery != null ? inQuery : fields.get(0).trim();
        if (key.isEmpty() || key.length() > 512) {
            return refuse(401, "Unauthorized", "the API key is not valid").completed();
        }
        return store.find(InMemoryApiKeys.sha256(key)).thenApply(found -> found
                .map(entry -> Decision.allow().withIdentity(entry.consumer().identity("api-key", entry.keyId())))
                .orElseGet(() -> refuse(401, "Unauthorized", "the API key is not valid")));
    }

    private Decision refuse(int status, String title, String detail) {
        Response response = Response.problem(status, title, detail);
        return Decision.deny(status == 401 ? response.withHeader("WWW-Authenticate", challenge) : response);
    }

    /** Builds an {@link ApiKeyAuth}. */
    public static final class Builder {
        private final ApiKeyStore store;
        private String header = "X-API-Key";
        private String queryParameter;
        private String realm = "edgekit";

        private Builder(ApiKeyStore store) {
            this.store = requireNonNull(store, "store");
        }

        /** The field the key comes in ({@code X-API-Key}). */
        public Builder header(String name) {
            this.header = io.edgekit.core.internal.HttpTokens.requireFieldName("header", name);
            return this;
        }

        /** Also takes the key from query parameter {@code name} (not by default: query strings get logged). */
        public Builder queryParameter(String name) {
            this.queryParameter = requireNonNull(name, "name");
            return this;
        }

        public Builder realm(String realm) {
            this.realm = requireNonNull(realm, "realm");
            return this;
        }

        public ApiKeyAuth build() {
            return new ApiKeyAuth(this);
        }
    }
}
