package io.edgekit.proxy;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Exchange;
import io.edgekit.core.Filter;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.internal.HttpTokens;
import io.edgekit.proxy.internal.cache.CacheStore;
import java.time.Clock;
import java.util.concurrent.CompletionStage;

/**
 * A shared HTTP cache (RFC 9111) in front of a route's upstream, with origin shielding: concurrent
 * misses for one resource send one request upstream.
 *
 * <ul>
 *   <li>Stores GET responses that may be stored by a shared cache (not {@code no-store} or
 *       {@code private}, not to requests with {@code Authorization} unless {@code public},
 *       {@code s-maxage} or {@code must-revalidate} say so, no {@code Set-Cookie} unless allowed, no
 *       {@code Vary: *}), of known length up to the object limit; serves them to GET and HEAD.</li>
 *   <li>Freshness from {@code s-maxage}, {@code max-age}, {@code Expires}, or a heuristic (10% of the
 *       time since {@code Last-Modified}, at most a day) for statuses cacheable by default; {@code Age}
 *       computed as RFC 9111 section 4.2.3 says; {@code Vary} selects variants.</li>
 *   <li>Stale responses are revalidated with {@code If-None-Match}/{@code If-Modified-Since} and a 304
 *       refreshes the stored headers; {@code stale-while-revalidate} serves stale while one background
 *       request revalidates; {@code stale-if-error} serves stale when the upstream fails.</li>
 *   <li>Client conditionals are answered 304 from the cache; {@code no-cache}, {@code max-age},
 *       {@code max-stale}, {@code min-fresh} and {@code only-if-cached} from clients are honoured.</li>
 *   <li>Unsafe methods invalidate the target URI (and same-host {@code Location}/{@code
 *       Content-Location}); {@link #purge} and {@link #purgePrefix} remove entries on demand.</li>
 *   <li>Every response says what happened in {@code Cache-Status} (RFC 9211).</li>
 *   <li>A single byte range of a stored complete response is served from the cache (206, or 416 with
 *       {@code Content-Range: bytes *}{@code /length}), {@code If-Range} honoured.</li>
 *   <li>{@code Surrogate-Control} aimed at this cache overrides Cache-Control here (see
 *       {@link Builder#surrogateToken}).</li>
 * </ul>
 *
 * Bounded by bytes and entries (Caffeine, size-weighted eviction; each entry weighs at least
 * {@code maxBytes / maxEntries}). Thread-safe.
 */
public final class HttpCache implements Filter {
    private final CacheStore store;

    private HttpCache(Builder b) {
        this.store = new CacheStore(b.name, b.maxEntries, b.maxBytes, b.maxObjectBytes, b.storeSetCookie,
                b.surrogateToken, b.clock);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CompletionStage<Response> filter(Exchange exchange, Request request, Next next) {
        return store.handle(exchange, request, next);
    }

    @Override
    public String name() {
        return "httpCache";
    }

    /**
     * Removes the entries for {@code host} and {@code pathAndQuery}, reached over http and https (the
     * scheme is part of the key); true if there was one.
     */
    public boolean purge(String host, String pathAndQuery) {
        return store.purge(host, pathAndQuery);
    }

    /** Removes every entry of {@code host} whose path starts with {@code pathPrefix}; returns how many. */
    public int purgePrefix(String host, String pathPrefix) {
        return store.purgePrefix(host, pathPrefix);
    }

    /** Entries stored now. */
    public long size() {
        return store.size();
    }

    /** Builds an {@link HttpCache}. Scalar setters overwrite. */
    public static final class Builder {
        private String name = "edgekit";
        private long maxEntries = 10_000;
        private long maxBytes = 64L * 1024 * 1024;
        private int maxObjectBytes = 1024 * 1024;
        private boolean storeSetCookie;
        private String surrogateToken = "edgekit";
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The cache's name in {@code Cache-Status}. */
        public Builder name(String name) {
            this.name = requireNonNull(name, "name");
            return this;
        }

        public Builder maxEntries(long maxEntries) {
            if (maxEntries < 1) {
                throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
            }
            this.maxEntries = maxEntries;
            return this;
        }

        public Builder maxBytes(long maxBytes) {
            if (maxBytes < 1024) {
                throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 1024)");
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /** The largest body stored; larger ones stream through uncached. */
        public Builder maxObjectBytes(int maxObjectBytes) {
            if (maxObjectBytes < 1) {
                throw new IllegalArgumentException("maxObjectBytes: " + maxObjectBytes + " (expected: >= 1)");
            }
            this.maxObjectBytes = maxObjectBytes;
            return this;
        }

        /** Store responses that set cookies (off by default: a shared cache would hand them to others). */
        public Builder storeSetCookie(boolean store) {
            this.storeSetCookie = store;
            return this;
        }

        /**
         * This cache's device token for {@code Surrogate-Control} (W3C Edge Architecture 1.0), "edgekit" by
         * default; null to ignore the field and pass it on. With a token, requests to the upstream carry
         * {@code Surrogate-Capability: <token>="Surrogate/1.0"}; controls with no device token or with this
         * one decide storage and freshness here ({@code no-store}, {@code max-age=N[+M]}) over Cache-Control,
         * which then speaks only to the caches downstream; and Surrogate-Control is removed from responses.
         */
        public Builder surrogateToken(String token) {
            if (token != null && (token.isEmpty() || !HttpTokens.isToken(token))) {
                throw new IllegalArgumentException("surrogateToken: '" + token + "' (expected: an HTTP token)");
            }
            this.surrogateToken = token;
            return this;
        }

        /** The wall clock for Date and Expires arithmetic; resident time uses the exchange's ticker. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        public HttpCache build() {
            return new HttpCache(this);
        }
    }
}
