package io.edgekit.balance;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Attempt;
import io.edgekit.core.Balancer;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointSnapshot;
import io.edgekit.core.Filter;
import io.edgekit.core.Headers;
import io.edgekit.core.Outcome;
import io.edgekit.core.Request;
import io.edgekit.core.internal.Cookies;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Cookie session affinity: a client's requests go to the endpoint that served its first one, named in a
 * cookie by an opaque token (an HMAC-SHA256 of the upstream and address under a secret, so the cookie
 * neither shows the upstream's addresses nor can be forged to pick another endpoint). When that endpoint is
 * gone, draining or ejected, or the token is unknown, the wrapped balancer picks and the cookie is issued
 * anew. Two parts: {@link #balancer} wraps the upstream's balancer, {@link #filter()} (on the routes to that
 * upstream) sets the cookie. Built with {@link #cookie(String, byte[])}. Thread-safe.
 */
public final class SessionAffinity {
    private final String cookieName;
    private final byte[] secret;
    private final Duration maxAge;
    private final boolean secure;

    private SessionAffinity(Builder b) {
        this.cookieName = b.cookieName;
        this.secret = b.secret;
        this.maxAge = b.maxAge;
        this.secure = b.secure;
    }

    /** Affinity in cookie {@code name}, tokens signed with {@code secret} (at least 32 bytes). */
    public static Builder cookie(String name, byte[] secret) {
        return new Builder(name, secret);
    }

    /** {@code inner} with affinity: the cookie's endpoint when it serves, else {@code inner}'s pick. */
    public Balancer balancer(Balancer inner) {
        requireNonNull(inner, "inner");
        return new Balancer() {
            @Override
            public Picker newPicker(EndpointSnapshot snapshot) {
                List<Endpoint> serving = snapshot.serving();
                String[] tokens = new String[serving.size()];
                for (int i = 0; i < tokens.length; i++) {
                    tokens[i] = token(snapshot.upstream(), serving.get(i));
                }
                return new AffinityPicker(inner.newPicker(snapshot), serving, tokens);
            }

            @Override
            public String name() {
                return "sessionAffinity(" + inner.name() + ")";
            }
        };
    }

    /** Sets the cookie on a response whose endpoint differs from the one the request's cookie named. */
    public Filter filter() {
        return Filter.named("sessionAffinity", (exchange, request, next) -> next.proceed(request)
                .thenApply(response -> withCookie(exchange.servingAttempt(), request, response)));
    }

    private io.edgekit.core.Response withCookie(Attempt served, Request request, io.edgekit.core.Response response) {
        if (served == null || served.endpoint() == null || served.upstream() == null) {
            return response;
        }
        String token = token(served.upstream().name(), served.endpoint());
        if (token.equals(cookieValue(request))) {
            return response;
        }
        return response.withHeaders(response.headers().toBuilder().add("set-cookie", cookieName + "=" + token
                + "; Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
                + (maxAge == null ? "" : "; Max-Age=" + maxAge.toSeconds())).build());
    }

    /** The token naming {@code endpoint} of {@code upstream}: 22 characters of base64url HMAC. */
    String token(String upstream, Endpoint endpoint) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] digest = mac.doFinal((upstream + "|" + endpoint.address()).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The affinity cookie's value in the request, or null. */
    String cookieValue(Request request) {
        Headers headers = request.headers();
        for (int i = 0; i < headers.size(); i++) {
            if (headers.name(i).equalsIgnoreCase("cookie")) {
                String field = headers.value(i);
                long range = Cookies.range(field, cookieName);
                if (range != Cookies.ABSENT) {
                    return field.substring(Cookies.from(range), Cookies.to(range));
                }
            }
        }
        return null;
    }

    /**
     * Picks the cookie's endpoint when it is serving and not tried yet. The cookie's value is found in the
     * request's field and looked up by its hash in an open-addressing table made with the picker, then checked
     * character by character: no copy, no allocation, and a cost that does not grow with the number of
     * endpoints. The wrapped picker is told of sticky picks ({@code onPickedElsewhere}) so its counts stay
     * balanced.
     */
    private final class AffinityPicker implements Balancer.Picker {
        private final Balancer.Picker inner;
        private final String[] tokens;
        private final Optional<Endpoint>[] options;
        /** Slot to endpoint index + 1 (0: empty), by token hash. */
        private final int[] table;

        @SuppressWarnings("unchecked")
        AffinityPicker(Balancer.Picker inner, List<Endpoint> serving, String[] tokens) {
            this.inner = inner;
            this.tokens = tokens;
            this.options = new Optional[tokens.length];
            this.table = new int[Integer.highestOneBit(Math.max(1, tokens.length) * 4) * 2];
            for (int i = 0; i < tokens.length; i++) {
                options[i] = Optional.of(serving.get(i));
                int slot = slot(HashKey.hash(tokens[i]));
                while (table[slot] != 0) {
                    slot = (slot + 1) & (table.length - 1);
                }
                table[slot] = i + 1;
            }
        }

        private int slot(long hash) {
            return (int) (hash ^ (hash >>> 32)) & (table.length - 1);
        }

        @Override
        public Optional<Endpoint> pick(Attempt attempt) {
            Optional<Endpoint> sticky = lookup(attempt.request());
            if (sticky != null && !attempt.hasTried(sticky.get())) {
                inner.onPickedElsewhere(attempt, sticky.get()); // its counts stay balanced: no mark needed
                return sticky;
            }
            return inner.pick(attempt);
        }

        /** The endpoint the request's cookie names, or null. */
        private Optional<Endpoint> lookup(Request request) {
            Headers headers = request.headers();
            for (int h = 0; h < headers.size(); h++) {
                if (!headers.name(h).equalsIgnoreCase("cookie")) {
                    continue;
                }
                String field = headers.value(h);
                long range = Cookies.range(field, cookieName);
                if (range != Cookies.ABSENT) {
                    return find(field, Cookies.from(range), Cookies.to(range));
                }
            }
            return null;
        }

        private Optional<Endpoint> find(String field, int from, int to) {
            int slot = slot(HashKey.hash(field, from, to));
            for (int probes = 0; probes < table.length && table[slot] != 0; probes++) {
                String token = tokens[table[slot] - 1];
                if (token.length() == to - from && field.regionMatches(from, token, 0, token.length())) {
                    return options[table[slot] - 1];
                }
                slot = (slot + 1) & (table.length - 1);
            }
            return null;
        }

        @Override
        public void onPickedElsewhere(Attempt attempt, Endpoint endpoint) {
            inner.onPickedElsewhere(attempt, endpoint);
        }

        @Override
        public void onComplete(Attempt attempt, Outcome outcome) {
            inner.onComplete(attempt, outcome);
        }
    }

    /** Builds a {@link SessionAffinity}. Scalar setters overwrite. */
    public static final class Builder {
        private final String cookieName;
        private final byte[] secret;
        private Duration maxAge;
        private boolean secure;

        private Builder(String cookieName, byte[] secret) {
            requireNonNull(cookieName, "name");
            requireNonNull(secret, "secret");
            if (!cookieName.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                throw new IllegalArgumentException("cookie name: \"" + cookieName + "\" (expected: a token)");
            }
            if (secret.length < 32) {
                throw new IllegalArgumentException("secret: " + secret.length + " bytes (expected: >= 32)");
            }
            this.cookieName = cookieName;
            this.secret = secret.clone();
        }

        /** How long the browser keeps the cookie; without it, for the browser session. */
        public Builder maxAge(Duration maxAge) {
            requireNonNull(maxAge, "maxAge");
            if (maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("maxAge: " + maxAge + " (expected: > 0)");
            }
            this.maxAge = maxAge;
            return this;
        }

        /** Marks the cookie {@code Secure} (sent over TLS only). */
        public Builder secure(boolean secure) {
            this.secure = secure;
            return this;
        }

        public SessionAffinity build() {
            return new SessionAffinity(this);
        }
    }
}
