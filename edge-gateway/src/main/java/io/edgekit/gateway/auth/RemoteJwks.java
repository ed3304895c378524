package io.edgekit.gateway.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.edgekit.core.Component;
import io.edgekit.core.EdgeContext;
import io.edgekit.core.Scheduler;
import io.edgekit.core.Ticker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An issuer's keys from its JWKS URL. Fetched on first use; refreshed ahead of expiry in the background
 * once started as a {@link Component} (at 80 % of the response's {@code max-age}, bounded by the refresh
 * interval, at least every {@code refreshEvery}); a token naming a {@code kid} the set does not hold
 * triggers a fetch, at most one per {@code minRefreshGap}, which the request waits for, so a key rotation
 * fails no request. A failed fetch (the host down, a non-200, a body that is not a key set) keeps the last
 * good keys. Fetches go through the JDK's asynchronous HTTP client: no request thread ever waits on one. One
 * fetch at a time; requests during it share it.
 */
public final class RemoteJwks extends JwtKeys implements Component {
    private static final Logger logger = LoggerFactory.getLogger(RemoteJwks.class);
    private static final CompletableFuture<KeySet> NONE = CompletableFuture.completedFuture(KeySet.EMPTY);
    private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*(\\d+)");

    private final URI uri;
    private final Duration refreshEvery;
    private final Duration minRefreshGap;
    private final Duration timeout;
    private final HttpClient client;
    private volatile Ticker ticker = Ticker.system();
    private volatile CompletableFuture<KeySet> current;
    private CompletableFuture<KeySet> inFlight;
    private long lastFetchNanos;
    private boolean fetchedOnce;
    private volatile Duration nextRefresh;
    private volatile Scheduler.Cancellable refreshTask;
    private volatile Scheduler scheduler;
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    private RemoteJwks(Builder b) {
        this.uri = b.uri;
        this.refreshEvery = b.refreshEvery;
        this.minRefreshGap = b.minRefreshGap;
        this.timeout = b.timeout;
        this.client = b.client != null ? b.client : HttpClient.newBuilder().connectTimeout(b.timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.nextRefresh = b.refreshEvery;
    }

    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    /** Fetches made so far, successful or not. */
    public long fetches() {
        return fetches.get();
    }

    /** Fetches that failed (the last good keys stayed). */
    public long failures() {
        return failures.get();
    }

    @Override
    CompletionStage<KeySet> keys() {
        CompletableFuture<KeySet> keys = current;
        return keys != null ? keys : fetch();
    }

    @Override
    CompletionStage<KeySet> keysFor(String kid) {
        CompletableFuture<KeySet> keys = current;
        if (keys != null && (kid == null || keys.join().has(kid))) {
            return keys;
        }
        return fetch();
    }

    /** Fetches the set, or joins the fetch under way; at most one fetch per minimum gap. */
    private synchronized CompletableFuture<KeySet> fetch() {
        if (inFlight != null) {
            return inFlight;
        }
        long now = ticker.nanos();
        if (fetchedOnce && now - lastFetchNanos < minRefreshGap.toNanos()) {
            // fetched a moment ago (that kid is not there, or the host is down): ask again later, not per request
            return current != null ? current : NONE;
        }
        fetchedOnce = true;
        lastFetchNanos = now;
        fetches.incrementAndGet();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET()
                .build();
        CompletableFuture<KeySet> fetching = client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> settle(response, error));
        inFlight = fetching;
        fetching.whenComplete((keys, error) -> {
            synchronized (this) {
                inFlight = null;
            }
        });
        return fetching;
    }

    /** The fetch's result: new keys, or the last good ones (none at all: an empty set). */
    private KeySet settle(HttpResponse<String> response, Throwable error) {
        String problem = null;
        KeySet fresh = null;
        if (error != null) {
            problem = error.toString();
        } else if (response.statusCode() != 200) {
            problem = "status " + response.statusCode();
        } else {
            try {
                fresh = new KeySet(usable(JWKSet.parse(response.body())));
                nextRefresh = refreshAfter(response.headers().firstValue("cache-control").orElse(""));
            } catch (ParseException e) {
                problem = "not a JSON Web Key Set: " + e.getMessage();
            }
        }
        CompletableFuture<KeySet> last = current;
        if (fresh == null) {
            failures.incrementAndGet();
            logger.warn("JWKS {}: fetch failed ({}); {}", uri, problem,
                    last != null ? "keeping the last good keys" : "no keys yet");
            return last != null ? last.join() : KeySet.EMPTY;
        }
        current = CompletableFuture.completedFuture(fresh);
        logger.debug("JWKS {}: {} keys", uri, fresh.keys.size());
        return fresh;
    }

    /** The keys that can verify signatures; any other is left out with a warning, not the whole set. */
    private List<VerificationKey> usable(JWKSet set) {
        List<VerificationKey> keys = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            try {
                keys.add(VerificationKey.of(jwk));
            } catch (JOSEException e) {
                logger.warn("JWKS {}: key left out: {}", uri, e.getMessage());
            }
        }
        return keys;
    }

    private Duration refreshAfter(String cacheControl) {
        Matcher m = MAX_AGE.matcher(cacheControl);
        if (!m.find()) {
            return refreshEvery;
        }
        long seconds = Long.parseLong(m.group(1)) * 8 / 10; // ahead of expiry
        Duration ahead = Duration.ofSeconds(Math.max(seconds, minRefreshGap.toSeconds()));
        return ahead.compareTo(refreshEvery) < 0 ? ahead : refreshEvery;
    }

    /** Fetches now and then keeps the set fresh on the edge's scheduler. */
    @Override
    public void start(EdgeContext context) {
        this.ticker = context.ticker();
        this.scheduler = context.scheduler();
        fetch().whenComplete((keys, error) -> scheduleRefresh());
    }

    private void scheduleRefresh() {
        Scheduler s = scheduler;
        if (s != null) {
            refreshTask = s.schedule(nextRefresh, () -> fetch().whenComplete((keys, error) -> scheduleRefresh()));
        }
    }

    @Override
    public void close() {
        scheduler = null;
        Scheduler.Cancellable task = refreshTask;
        if (task != null) {
            task.cancel();
        }
    }

    @Override
    public String toString() {
        return "RemoteJwks[" + uri + "]";
    }

    /** Builds a {@link RemoteJwks}. */
    public static final class Builder {
        private final URI uri;
        private Duration refreshEvery = Duration.ofMinutes(5);
        private Duration minRefreshGap = Duration.ofSeconds(10);
        private Duration timeout = Duration.ofSeconds(5);
        private HttpClient client;

        private Builder(URI uri) {
            this.uri = requireNonNull(uri, "uri");
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new IllegalArgumentException("uri: " + uri + " (expected: an https URL)");
            }
        }

        /** The longest a set is kept before it is fetched again (5 minutes). */
        public Builder refreshEvery(Duration every) {
            this.refreshEvery = positive("refreshEvery", every);
            return this;
        }

        /** The shortest time between two fetches for unknown key ids (10 seconds). */
        public Builder minRefreshGap(Duration gap) {
            this.minRefreshGap = requireNonNull(gap, "gap");
            return this;
        }

        /** How long a fetch may take, connecting included (5 seconds). */
        public Builder timeout(Duration timeout) {
            this.timeout = positive("timeout", timeout);
            return this;
        }

        /** The HTTP client to fetch with (its TLS settings, its proxy); a new one by default. */
        public Builder httpClient(HttpClient client) {
            this.client = requireNonNull(client, "client");
            return this;
        }

        public RemoteJwks build() {
            return new RemoteJwks(this);
        }

        private static Duration positive(String what, Duration d) {
            requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + ": " + d + " (expected: > 0)");
            }
            return d;
        }
    }
}
