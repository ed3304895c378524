package io.edgekit.gateway.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.edgekit.core.Decision;
import io.edgekit.core.Exchange;
import io.edgekit.core.Policy;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * HTTP Basic authentication (RFC 7617) against password hashes ({@link Passwords}): the hash is checked on
 * the edge's offload executor, never an IO thread, and a successful check is remembered for a while (by a
 * SHA-256 of the user and password, never the password) so a client's next requests cost no hashing. An
 * allowed request carries the user's consumer as its identity. No credentials or a wrong password: 401 with
 * {@code WWW-Authenticate: Basic realm=...}; two credentials or a malformed one: 400.
 */
public final class BasicAuth implements Policy {
    private final Map<String, String> hashes;
    private final Map<String, Consumer> consumers;
    private final String challenge;
    private final Cache<ByteBuffer, Boolean> checked;

    private BasicAuth(Builder b) {
        this.hashes = Map.copyOf(b.hashes);
        this.consumers = Map.copyOf(b.consumers);
        this.challenge = "Basic realm=\"" + b.realm + "\", charset=\"UTF-8\"";
        this.checked = Caffeine.newBuilder().executor(Runnable::run).maximumSize(10_000).expireAfterWrite(b.remember).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "basicAuth";
    }

    @Override
    public CompletionStage<Decision> evaluate(Exchange exchange, Request request) {
        List<String> fields = request.headers().all("authorization");
        if (fields.isEmpty()) {
            return refuse("credentials are required").completed();
        }
        if (fields.size() > 1) {
            return Decision.deny(400, "Bad Request", "more than one credential").completed();
        }
        String field = fields.get(0);
        if (!field.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Decision.deny(400, "Bad Request", "expected Authorization: Basic <credentials>").completed();
        }
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(field.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Decision.deny(400, "Bad Request", "the Basic credentials are not base64").completed();
        }
        int colon = pair.indexOf(':');
        if (colon < 0) {
            return Decision.deny(400, "Bad Request", "the Basic credentials have no ':'").completed();
        }
        String user = pair.substring(0, colon);
        String password = pair.substring(colon + 1);
        String hash = hashes.get(user);
        if (hash == null) {
            return refuse("unknown user or wrong password").completed();
        }
        ByteBuffer key = ByteBuffer.wrap(Passwords.sha256(user, password));
        if (checked.getIfPresent(key) != null) {
            return allow(user).completed();
        }
        return exchange.offload(() -> Passwords.matches(password, hash)).thenApply(ok -> {
            if (!ok) {
                return refuse("unknown user or wrong password");
            }
            checked.put(key, Boolean.TRUE);
            return allow(user);
        });
    }

    private Decision allow(String user) {
        return Decision.allow().withIdentity(consumers.get(user).identity("basic", user));
    }

    private Decision refuse(String why) {
        return Decision.deny(Response.problem(401, "Unauthorized", why).withHeader("WWW-Authenticate", challenge));
    }

    /** Builds a {@link BasicAuth}. */
    public static final class Builder {
        private final Map<String, String> hashes = new HashMap<>();
        private final Map<String, Consumer> consumers = new HashMap<>();
        private String realm = "edgekit";
        private Duration remember = Duration.ofMinutes(5);

        /** User {@code user}, whose password has hash {@code passwordHash} ({@link Passwords#hash}), acting as {@code consumer}. */
        public Builder user(String user, String passwordHash, Consumer consumer) {
            requireNonNull(user, "user");
            if (user.indexOf(':') >= 0) {
                throw new IllegalArgumentException("user: \"" + user + "\" (expected: no ':' in a Basic user name)");
            }
            hashes.put(user, Passwords.checkFormat(requireNonNull(passwordHash, "passwordHash")));
            consumers.put(user, requireNonNull(consumer, "consumer"));
            return this;
        }

        public Builder realm(String realm) {
            this.realm = requireNonNull(realm, "realm");
            return this;
        }

        /** How long a successful check is remembered (5 minutes; zero: every request is hashed). */
        public Builder remember(Duration remember) {
            this.remember = requireNonNull(remember, "remember");
            return this;
        }

        public BasicAuth build() {
            if (hashes.isEmpty()) {
                throw new IllegalStateException("no user: add one with user(name, Passwords.hash(password), consumer)");
            }
            return new BasicAuth(this);
        }
    }
}
