package io.edgekit.gateway.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.edgekit.core.Decision;
import io.edgekit.core.Exchange;
import io.edgekit.core.Identity;
import io.edgekit.core.Policy;
import io.edgekit.core.Request;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Opaque bearer tokens checked by OAuth 2.0 token introspection (RFC 7662): the token is posted to the
 * authorization server's introspection endpoint with this gateway's client credentials, through the JDK's
 * asynchronous client (no request thread waits), and the answer is cached: an active token until its
 * {@code exp} (at most {@code maxCache}), an inactive one for a short while. Active: the identity is the
 * token's {@code sub} (or {@code client_id}) with its {@code scope}; inactive: 401 {@code invalid_token};
 * required scopes missing: 403 {@code insufficient_scope}; the server not answering in time or with an
 * error: 503 (the token cannot be told good or bad: the request is refused, not let through).
 */
public final class TokenIntrospection implements Policy {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What the server said of a token. */
    private record Answer(boolean active, Identity identity, long expiresAt) {
    }

    private final URI endpoint;
    private final String authorization;
    private final HttpClient client;
    private final Duration timeout;
    private final Set<String> requiredScopes;
    private final String realm;
    private final Clock clock;
    private final Cache<String, Answer> answers;

    private TokenIntrospection(Builder b) {
        this.endpoint = b.endpoint;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((URLEncoder.encode(b.clientId,
                StandardCharsets.UTF_8) + ":" + URLEncoder.encode(b.clientSecret, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8));
        this.client = b.client != null ? b.client : HttpClient.newBuilder().connectTimeout(b.timeout).build();
        this.timeout = b.timeout;
        this.requiredScopes = Set.copyOf(b.requiredScopes);
        this.realm = b.realm;
        this.clock = b.clock;
        long maxCacheNanos = b.maxCache.toNanos();
        long inactiveNanos = b.inactiveCache.toNanos();
        this.answers = Caffeine.newBuilder().executor(Runnable::run)
                .maximumWeight(b.cacheBytes)
                .weigher((String token, Answer a) -> token.length() + 256)
                .expireAfter(new Expiry<String, Answer>() {
                    @Override
                    public long expireAfterCreate(String token, Answer answer, long now) {
                        if (!answer.active()) {
                            return inactiveNanos;
                        }
                        long left = TimeUnit.SECONDS.toNanos(Math.max(0, answer.expiresAt() - clock.millis() / 1000));
                        return Math.min(left, maxCacheNanos);
                    }

                    @Override
                    public long expireAfterUpdate(String token, Answer answer, long now, long duration) {
                        return expireAfterCreate(token, answer, now);
                    }

                    @Override
                    public long expireAfterRead(String token, Answer answer, long now, long duration) {
                        return duration;
                    }
                })
                .build();
    }

    public static Builder builder(URI endpoint) {
        return new Builder(endpoint);
    }

    @Override
    public String name() {
        return "introspection(" + endpoint.getHost() + ")";
    }

    @Override
    public CompletionStage<Decision> evaluate(Exchange exchange, Request request) {
        List<String> fields = request.headers().all("authorization");
        if (fields.isEmpty()) {
            return Challenges.missing(realm).completed();
        }
        if (fields.size() > 1) {
            return Challenges.invalidRequest(realm, "more than one credential").completed();
        }
        String token = Bearer.token(fields.get(0));
        if (token == null || token.length() > 4096) {
            return Challenges.invalidRequest(realm, "expected Authorization: Bearer <token>").completed();
        }
        Answer known = answers.getIfPresent(token);
        if (known != null) {
            return CompletableFuture.completedFuture(decide(known));
        }
        HttpRequest ask = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Authorization", authorization)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
                        + "&token_type_hint=access_token"))
                .build();
        return client.sendAsync(ask, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            if (error != null || response.statusCode() != 200) {
                return Challenges.unavailable("the token cannot be checked now");
            }
            Answer answer = read(response.body());
            if (answer == null) {
                return Challenges.unavailable("the token cannot be checked now");
            }
            answers.put(token, answer);
            return decide(answer);
        });
    }

    private Answer read(String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
        if (json == null || !json.isObject() || !json.path("active").isBoolean()) {
            return null;
        }
        if (!json.path("active").asBoolean()) {
            return new Answer(false, null, 0);
        }
        String subject = json.path("sub").isString() ? json.path("sub").asString()
                : json.path("client_id").isString() ? json.path("client_id").asString() : null;
        long exp = json.path("exp").isIntegralNumber() ? json.path("exp").asLong() : Long.MAX_VALUE;
        if (subject == null || exp <= clock.millis() / 1000) {
            return new Answer(false, null, 0);
        }
        Set<String> scopes = new LinkedHashSet<>();
        if (json.path("scope").isString()) {
            Bearer.addScopes(json.path("scope").asString(), scopes);
        }
        Map<String, String> attributes = new HashMap<>();
        attributes.put("credential", "introspected");
        if (json.path("client_id").isString()) {
            attributes.put("client-id", json.path("client_id").asString());
        }
        return new Answer(true, new Identity(subject, scopes, attributes), exp);
    }

    private Decision decide(Answer answer) {
        if (!answer.active() || answer.expiresAt() <= clock.millis() / 1000) {
            return Challenges.invalidToken(realm, "the token is not active");
        }
        for (String scope : requiredScopes) {
            if (!answer.identity().hasScope(scope)) {
                return Challenges.insufficientScope(realm, scope);
            }
        }
        return Decision.allow().withIdentity(answer.identity());
    }

    /** Builds a {@link TokenIntrospection}: client credentials are required. */
    public static final class Builder {
        private final URI endpoint;
        private String clientId;
        private String clientSecret;
        private HttpClient client;
        private Duration timeout = Duration.ofSeconds(2);
        private final Set<String> requiredScopes = new LinkedHashSet<>();
        private String realm = "edgekit";
        private Clock clock = Clock.systemUTC();
        private Duration maxCache = Duration.ofMinutes(5);
        private Duration inactiveCache = Duration.ofSeconds(10);
        private long cacheBytes = 16L * 1024 * 1024;

        private Builder(URI endpoint) {
            this.endpoint = requireNonNull(endpoint, "endpoint");
        }

        /** This gateway's client credentials at the authorization server (sent as HTTP Basic). */
        public Builder clientCredentials(String clientId, String clientSecret) {
            this.clientId = requireNonNull(clientId, "clientId");
            this.clientSecret = requireNonNull(clientSecret, "clientSecret");
            return this;
        }

        public Builder httpClient(HttpClient client) {
            this.client = requireNonNull(client, "client");
            return this;
        }

        /** How long the server may take (2 seconds); past it the request gets 503. */
        public Builder timeout(Duration timeout) {
            this.timeout = requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder requireScopes(String... scopes) {
            requiredScopes.addAll(List.of(scopes));
            return this;
        }

        public Builder realm(String realm) {
            this.realm = requireNonNull(realm, "realm");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** The longest an active answer is cached (5 minutes, and never past the token's exp). */
        public Builder maxCache(Duration maxCache) {
            this.maxCache = requireNonNull(maxCache, "maxCache");
            return this;
        }

        /** How long an inactive answer is cached (10 seconds). */
        public Builder inactiveCache(Duration inactiveCache) {
            this.inactiveCache = requireNonNull(inactiveCache, "inactiveCache");
            return this;
        }

        public TokenIntrospection build() {
            if (clientId == null) {
                throw new IllegalStateException("client credentials are required: clientCredentials(id, secret)");
            }
            return new TokenIntrospection(this);
        }
    }
}
