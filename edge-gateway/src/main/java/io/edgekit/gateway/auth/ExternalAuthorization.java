package io.edgekit.gateway.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.edgekit.core.Decision;
import io.edgekit.core.Exchange;
import io.edgekit.core.Identity;
import io.edgekit.core.Policy;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.internal.HttpTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * External authorization: asks an HTTP service whether a request may go on. The service gets a JSON
 * {@code POST} with the method, the path, the request fields chosen with {@link Builder#sendHeaders} and the
 * identity an auth policy established ({@code subject}, {@code scopes}); it answers {@code {"allow": true,
 * "headers": {...}}} (fields to add to the request) or {@code {"allow": false, "status": 403, "reason":
 * "..."}}. Asked through the JDK's asynchronous client with a timeout; when the service fails or is late,
 * the request is refused with 503 (fail closed, the default) or let through (fail open). Decisions are
 * cached for a while in a bounded cache keyed by exactly what the service was told (method, path, chosen
 * fields, identity), so two requests share a decision only when the service could not tell them apart.
 */
public final class ExternalAuthorization implements Policy {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI service;
    private final HttpClient client;
    private final Duration timeout;
    private final List<String> sentHeaders;
    private final boolean failOpen;
    private final Cache<String, Decision> decisions;

    private ExternalAuthorization(Builder b) {
        this.service = b.service;
        this.client = b.client != null ? b.client : HttpClient.newBuilder().connectTimeout(b.timeout).build();
        this.timeout = b.timeout;
        this.sentHeaders = List.copyOf(b.sentHeaders);
        this.failOpen = b.failOpen;
        this.decisions = b.cacheFor.isZero() ? null
                : Caffeine.newBuilder().executor(Runnable::run).maximumSize(b.cacheSize).expireAfterWrite(b.cacheFor).build();
    }

    public static Builder builder(URI service) {
        return new Builder(service);
    }

    @Override
    public String name() {
        return "externalAuthorization(" + service.getHost() + ")";
    }

    @Override
    public CompletionStage<Decision> evaluate(Exchange exchange, Request request) {
        ObjectNode ask = JSON.createObjectNode();
        ask.put("method", request.method());
        ask.put("path", request.path());
        ObjectNode headers = ask.putObject("headers");
        for (String name : sentHeaders) {
            String value = request.headers().firstOrNull(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        Identity identity = exchange.identity().orElse(null);
        if (identity != null) {
            ObjectNode who = ask.putObject("identity");
            who.put("subject", identity.subject());
            identity.scopes().stream().sorted().forEach(who.putArray("scopes")::add);
        }
        String body = ask.toString(); // what the service is told is also what its decision is cached by
        if (decisions != null) {
            Decision known = decisions.getIfPresent(body);
            if (known != null) {
                return CompletableFuture.completedFuture(known);
            }
        }
        HttpRequest post = HttpRequest.newBuilder(service).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.sendAsync(post, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            Decision decision = error != null || response.statusCode() != 200 ? null : read(response.body());
            if (decision == null) {
                return failOpen ? Decision.allow()
                        : Challenges.unavailable("the authorization service did not answer");
            }
            if (decisions != null) {
                decisions.put(body, decision);
            }
            return decision;
        });
    }

    private static Decision read(String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
        if (json == null || !json.path("allow").isBoolean()) {
            return null;
        }
        if (!json.path("allow").asBoolean()) {
            int status = json.path("status").isIntegralNumber() ? json.path("status").asInt() : 403;
            if (status < 400 || status > 599) {
                status = 403;
            }
            String reason = json.path("reason").isString() ? json.path("reason").asString() : "not authorized";
            return Decision.deny(Response.problem(status, status == 401 ? "Unauthorized" : "Forbidden", reason));
        }
        Decision allow = Decision.allow();
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(json.path("headers").properties());
        for (Map.Entry<String, JsonNode> field : fields) {
            String name = field.getKey();
            String value = field.getValue().asString();
            if (!name.isEmpty() && HttpTokens.isToken(name) && HttpTokens.isFieldValue(value)) {
                allow = allow.withRequestHeader(name.toLowerCase(Locale.ROOT), value);
            }
        }
        return allow;
    }

    /** Builds an {@link ExternalAuthorization}. */
    public static final class Builder {
        private final URI service;
        private HttpClient client;
        private Duration timeout = Duration.ofMillis(500);
        private final List<String> sentHeaders = new ArrayList<>();
        private boolean failOpen;
        private Duration cacheFor = Duration.ofSeconds(30);
        private long cacheSize = 100_000;

        private Builder(URI service) {
            this.service = requireNonNull(service, "service");
        }

        public Builder httpClient(HttpClient client) {
            this.client = requireNonNull(client, "client");
            return this;
        }

        /** How long the service may take (500 ms). */
        public Builder timeout(Duration timeout) {
            this.timeout = requireNonNull(timeout, "timeout");
            return this;
        }

        /** The request fields the service is told of (none by default; never send credentials it need not see). */
        public Builder sendHeaders(String... names) {
            for (String name : names) {
                sentHeaders.add(requireNonNull(name, "name").toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /** When the service fails or is late: let the request through (true) or refuse it with 503 (false, the default). */
        public Builder failOpen(boolean failOpen) {
            this.failOpen = failOpen;
            return this;
        }

        /** How long a decision is reused (30 seconds; zero: every request asks) and how many are kept (100,000). */
        public Builder cache(Duration cacheFor, long size) {
            this.cacheFor = requireNonNull(cacheFor, "cacheFor");
            this.cacheSize = size;
            return this;
        }

        public ExternalAuthorization build() {
            return new ExternalAuthorization(this);
        }
    }
}
