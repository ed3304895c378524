package io.edgekit.proxy.internal.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.edgekit.core.Body;
import io.edgekit.core.Exchange;
import io.edgekit.core.Filter;
import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.internal.BytesBody;
import io.edgekit.core.internal.HopByHop;
import io.edgekit.proxy.internal.io.ChannelBody;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The machinery of {@code HttpCache}. Thread-safe. */
public final class CacheStore {
    private static final Logger logger = LoggerFactory.getLogger(CacheStore.class);
    /** Statuses a heuristic may make fresh (RFC 9110 section 15.1). */
    private static final Set<Integer> CACHEABLE_BY_DEFAULT = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410,
            414, 501);
    /** Statuses whose semantics the cache understands (for must-understand). */
    private static final Set<Integer> UNDERSTOOD = Set.of(200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405,
            410, 414, 501);
    /** Headers a 304 does not update (RFC 9111 section 3.2: they describe the stored representation). */
    private static final Set<String> KEEP_ON_304 = Set.of("content-length", "content-encoding", "transfer-encoding",
            "content-md5", "content-range", "etag");

    private final String name;
    private final int maxObjectBytes;
    private final boolean storeSetCookie;
    private final String surrogateToken;
    private final String surrogateCapability;
    private final Clock clock;
    private final Cache<String, List<CacheEntry>> entries;
    private final ConcurrentHashMap<String, CompletableFuture<CacheEntry>> inFlight = new ConcurrentHashMap<>();
    private final Set<String> revalidating = ConcurrentHashMap.newKeySet();

    /** {@code surrogateToken}: this cache's device token for Surrogate-Control; null ignores that field. */
    public CacheStore(String name, long maxEntries, long maxBytes, int maxObjectBytes, boolean storeSetCookie,
            String surrogateToken, Clock clock) {
        this.name = name;
        this.maxObjectBytes = maxObjectBytes;
        this.storeSetCookie = storeSetCookie;
        this.surrogateToken = surrogateToken;
        this.surrogateCapability = surrogateToken == null ? null : surrogateToken + "=\"Surrogate/1.0\"";
        this.clock = clock;
        long minWeight = Math.max(1, maxBytes / maxEntries);
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String key, List<CacheEntry> variants) -> {
                    long weight = 0;
                    for (CacheEntry entry : variants) {
                        weight += Math.max(minWeight, entry.body.length + 64L * entry.headers.size());
                    }
                    return (int) Math.min(Integer.MAX_VALUE, weight);
                })
                .executor(Runnable::run)
                .build();
    }

    public long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }

    /** Removes the entries of {@code host} and {@code pathAndQuery}, over http and https. */
    public boolean purge(String host, String pathAndQuery) {
        String lower = host.toLowerCase(java.util.Locale.ROOT);
        boolean http = entries.asMap().remove(key("http", lower, pathAndQuery)) != null;
        boolean https = entries.asMap().remove(key("https", lower, pathAndQuery)) != null;
        return http || https;
    }

    public int purgePrefix(String host, String pathPrefix) {
        String lower = host.toLowerCase(java.util.Locale.ROOT);
        String http = key("http", lower, pathPrefix);
        String https = key("https", lower, pathPrefix);
        int removed = 0;
        for (String key : List.copyOf(entries.asMap().keySet())) {
            if ((key.startsWith(http) || key.startsWith(https)) && entries.asMap().remove(key) != null) {
                removed++;
            }
        }
        return removed;
    }

    /** The primary key: scheme, host and target (RFC 9111 section 2: the target URI). */
    private static String key(Exchange exchange, Request request) {
        return key(scheme(exchange), request.host(), request.uri());
    }

    /** The scheme the client used to reach the edge. */
    private static String scheme(Exchange exchange) {
        return exchange.isSecure() ? "https" : "http";
    }

    private static String key(String scheme, String host, String pathAndQuery) {
        return scheme + "://" + host + pathAndQuery;
    }

    public CompletionStage<Response> handle(Exchange exchange, Request request, Filter.Next next) {
        if (surrogateToken == null) {
            return handleRequest(exchange, request, next);
        }
        // say what this surrogate understands; take out the controls meant for it (Edge Architecture 1.0)
        Request announced = request.withHeaders(request.headers().toBuilder()
                .add("surrogate-capability", surrogateCapability).build());
        return handleRequest(exchange, announced, next).thenApply(response ->
                response.headers().contains("surrogate-control")
                        ? response.withHeaders(response.headers().toBuilder().remove("surrogate-control").build())
                        : response);
    }

    private CompletionStage<Response> handleRequest(Exchange exchange, Request request, Filter.Next next) {
        String method = request.method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            // every method not known to be safe invalidates (RFC 9111 section 4.4)
            if (!method.equals("OPTIONS") && !method.equals("TRACE")) {
                return next.proceed(request).thenApply(response -> {
                    if (response.status() < 400) {
                        invalidate(exchange, request, response);
                    }
                    return status(response, "fwd=bypass");
                });
            }
            return next.proceed(request);
        }
        CacheControl asked = CacheControl.parse(request.headers());
        String key = key(exchange, request);
        CacheEntry entry = select(key, request);
        long now = exchange.ticker().nanos();
        if (entry != null && request.headers().contains("authorization") && !entry.authorizedOk) {
            entry = null;
        }
        if (entry != null) {
            long age = entry.currentAgeSeconds(now);
            long lifetime = entry.freshnessLifetime;
            boolean mustRevalidate = entry.control.noCache || asked.noCache
                    || (asked.maxAge != CacheControl.UNSET && age > asked.maxAge);
            long freshFor = lifetime - age - (asked.minFresh == CacheControl.UNSET ? 0 : asked.minFresh);
            if (!mustRevalidate && freshFor > 0) {
                return served(entry, request, now, "hit");
            }
            long staleBy = age - lifetime;
            boolean revalidationRequired = entry.control.mustRevalidate || entry.control.proxyRevalidate
                    || entry.control.sMaxAge != CacheControl.UNSET;
            if (!mustRevalidate && !revalidationRequired && staleBy >= 0
                    && (asked.maxStaleAny || (asked.maxStale != CacheControl.UNSET && staleBy <= asked.maxStale))) {
                return served(entry, request, now, "hit; detail=max-stale");
            }
            if (!mustRevalidate && !revalidationRequired && entry.control.staleWhileRevalidate != CacheControl.UNSET
                    && staleBy < entry.control.staleWhileRevalidate) {
                backgroundRevalidate(exchange, request, next, key, entry);
                return served(entry, request, now, "hit; fwd=stale; detail=stale-while-revalidate");
            }
            if (asked.onlyIfCached) {
                return CompletableFuture.completedFuture(status(Response.problem(504, "Gateway Timeout",
                        "only-if-cached and the stored response is stale"), "fwd=stale; detail=only-if-cached"));
            }
            return revalidate(exchange, request, next, key, entry, asked);
        }
        if (asked.onlyIfCached) {
            return CompletableFuture.completedFuture(status(Response.problem(504, "Gateway Timeout",
                    "only-if-cached and nothing is stored"), "fwd=miss; detail=only-if-cached"));
        }
        if (asked.noStore || method.equals("HEAD")) {
            return next.proceed(request).thenApply(response -> status(response, "fwd=bypass"));
        }
        if (request.headers().contains("authorization")) {
            // stored only if the response says a shared cache may (RFC 9111 section 3.5); never collapsed
            // with other clients' misses, whose answers it may not be given
            return fetchAndStore(exchange, request, next, key, exchange.ticker().nanos(), "fwd=miss");
        }
        return miss(exchange, request, next, key);
    }

    private CacheEntry select(String key, Request request) {
        List<CacheEntry> variants = entries.getIfPresent(key);
        if (variants == null) {
            return null;
        }
        for (CacheEntry entry : variants) {
            if (entry.matches(request)) {
                return entry;
            }
        }
        return null;
    }

    /** A miss: one request goes upstream per key; concurrent misses wait for its stored result. */
    private CompletionStage<Response> miss(Exchange exchange, Request request, Filter.Next next, String key) {
        CompletableFuture<CacheEntry> mine = new CompletableFuture<>();
        CompletableFuture<CacheEntry> leader = inFlight.putIfAbsent(key, mine);
        if (leader != null) {
            return leader.thenCompose(stored -> {
                if (stored != null && stored.matches(request)) {
                    return served(stored, request, exchange.ticker().nanos(), "hit; detail=collapsed");
                }
                return next.proceed(request).thenApply(response -> status(response, "fwd=miss"));
            });
        }
        long requestNanos = exchange.ticker().nanos();
        return fetchAndStore(exchange, request, next, key, requestNanos, "fwd=miss")
                .whenComplete((response, error) -> {
                    inFlight.remove(key, mine);
                    mine.complete(error == null ? select(key, request) : null);
                });
    }

    /** Sends the request on; stores the response when it may be stored. */
    private CompletionStage<Response> fetchAndStore(Exchange exchange, Request request, Filter.Next next,
            String key, long requestNanos, String forwardReason) {
        return next.proceed(request).thenCompose(response -> {
            String refusal = whyNotStored(request, response);
            if (refusal != null) {
                return CompletableFuture.completedFuture(status(response, forwardReason + "; detail=" + refusal));
            }
            return response.body().buffer(maxObjectBytes).thenApply(buffered -> {
                if (!buffered.isComplete()) {
                    return status(response.withBody(buffered.body()), forwardReason + "; detail=too-large");
                }
                long responseNanos = exchange.ticker().nanos();
                CacheEntry entry = entry(request, response, buffered.bytes(), requestNanos, responseNanos);
                store(key, entry);
                return served(entry, request, responseNanos, forwardReason + "; stored", false);
            });
        });
    }

    private CacheEntry entry(Request request, Response response, byte[] body, long requestNanos, long responseNanos) {
        return new CacheEntry(response.status(), storedHeaders(response.headers()), body, request, requestNanos,
                responseNanos, clock.instant().getEpochSecond(), CACHEABLE_BY_DEFAULT.contains(response.status()),
                surrogateToken);
    }

    private String whyNotStored(Request request, Response response) {
        int status = response.status();
        Headers headers = response.headers();
        CacheControl control = CacheControl.parseResponse(headers, surrogateToken);
        // any final status may be stored (RFC 9111 section 3), but partial and not-modified answers, and
        // must-understand responses whose status the cache does not understand
        if (status < 200 || status == 206 || status == 304 || (control.mustUnderstand && !UNDERSTOOD.contains(status))) {
            return "status";
        }
        if (control.noStore || control.isPrivate) {
            return control.noStore ? "no-store" : "private";
        }
        if (CacheControl.parse(request.headers()).noStore) {
            return "request-no-store";
        }
        if (request.headers().contains("authorization") && !control.allowsAuthorized()) {
            return "authorization";
        }
        if (!storeSetCookie && headers.contains("set-cookie")) {
            return "set-cookie";
        }
        for (String vary : headers.all("vary")) {
            if (vary.trim().equals("*")) {
                return "vary-star";
            }
        }
        boolean explicit = control.maxAge != CacheControl.UNSET || control.sMaxAge != CacheControl.UNSET
                || (!control.surrogate && headers.contains("expires")) || control.isPublic;
        if (!explicit && !(CACHEABLE_BY_DEFAULT.contains(response.status()) && headers.contains("last-modified"))
                && !control.noCache && !headers.contains("etag")) {
            return "no-freshness";
        }
        if (response.body().length() > maxObjectBytes) {
            return "too-large";
        }
        return null; // unknown lengths are read up to the object limit, then stored or streamed on
    }

    private static void discard(Body body) {
        if (body instanceof ChannelBody channel && channel.owner() != null) {
            channel.owner().bodyDiscarded();
        }
    }

    private static Headers storedHeaders(Headers headers) {
        Headers.Builder stored = Headers.builder(headers.size());
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (!HopByHop.isHopByHop(name) && !name.equalsIgnoreCase("x-request-id")
                    && !name.equalsIgnoreCase("cache-status")) {
                stored.add(name, headers.value(i));
            }
        }
        return stored.build();
    }

    private void store(String key, CacheEntry entry) {
        entries.asMap().compute(key, (k, variants) -> {
            List<CacheEntry> updated = new ArrayList<>();
            if (variants != null) {
                for (CacheEntry existing : variants) {
                    if (!sameVariant(existing, entry)) {
                        updated.add(existing);
                    }
                }
            }
            updated.add(entry);
            return List.copyOf(updated);
        });
    }

    private static boolean sameVariant(CacheEntry a, CacheEntry b) {
        return a.varyNames.equals(b.varyNames) && a.varyValues.equals(b.varyValues);
    }

    /** Sends a conditional request; a 304 refreshes the entry, a failure may serve it stale. */
    private CompletionStage<Response> revalidate(Exchange exchange, Request request, Filter.Next next, String key,
            CacheEntry entry, CacheControl asked) {
        long requestNanos = exchange.ticker().nanos();
        Request conditional = conditionalRequest(request, entry);
        return next.proceed(conditional).handle((response, error) -> {
            long now = exchange.ticker().nanos();
            if (error != null || response.status() >= 500) {
                if (mayServeStaleOnError(entry, asked, now)) {
                    return CompletableFuture.completedFuture(served(entry, request, now,
                            "hit; fwd=stale; detail=stale-if-error", false));
                }
                if (error != null) {
                    return CompletableFuture.<Response>failedFuture(error);
                }
            }
            if (response.status() == 304) {
                CacheEntry refreshed = refreshed(entry, response, request, requestNanos, now);
                store(key, refreshed);
                return CompletableFuture.completedFuture(served(refreshed, request, now,
                        "fwd=stale; fwd-status=304; stored", false));
            }
            String refusal = whyNotStored(request, response);
            if (refusal != null) {
                return CompletableFuture.completedFuture(status(response, "fwd=stale; detail=" + refusal));
            }
            return response.body().buffer(maxObjectBytes).thenApply(buffered -> {
                if (!buffered.isComplete()) {
                    entries.asMap().remove(key); // the new representation is too large to keep
                    return status(response.withBody(buffered.body()), "fwd=stale; detail=too-large");
                }
                CacheEntry replaced = entry(request, response, buffered.bytes(), requestNanos,
                        exchange.ticker().nanos());
                store(key, replaced);
                return served(replaced, request, exchange.ticker().nanos(), "fwd=stale; stored", false);
            });
        }).thenCompose(stage -> stage);
    }

    private void backgroundRevalidate(Exchange exchange, Request request, Filter.Next next, String key,
            CacheEntry entry) {
        if (!revalidating.add(key)) {
            return;
        }
        long requestNanos = exchange.ticker().nanos();
        next.proceed(conditionalRequest(request, entry)).thenCompose(response -> {
            if (response.status() == 304) {
                store(key, refreshed(entry, response, request, requestNanos, exchange.ticker().nanos()));
                return CompletableFuture.completedFuture(null);
            }
            boolean storable = whyNotStored(request, response) == null;
            return response.body().buffer(maxObjectBytes).thenAccept(buffered -> {
                if (!buffered.isComplete()) {
                    discard(buffered.body()); // nobody reads the rest: its connection cannot be reused
                } else if (storable) {
                    store(key, entry(request, response, buffered.bytes(), requestNanos, exchange.ticker().nanos()));
                }
            });
        }).whenComplete((ignored, error) -> {
            revalidating.remove(key);
            if (error != null) {
                logger.debug("background revalidation of {} failed: {}", key, error.toString());
            }
        });
    }

    private boolean mayServeStaleOnError(CacheEntry entry, CacheControl asked, long now) {
        long staleBy = entry.currentAgeSeconds(now) - entry.freshnessLifetime;
        long allowed = Math.max(entry.control.staleIfError, asked.staleIfError);
        return allowed != CacheControl.UNSET && staleBy <= allowed && !entry.control.mustRevalidate
                && entry.control.sMaxAge == CacheControl.UNSET && !entry.control.proxyRevalidate;
    }

    private static Request conditionalRequest(Request request, CacheEntry entry) {
        Headers.Builder headers = request.headers().toBuilder()
                .remove("if-none-match").remove("if-modified-since").remove("if-match").remove("if-range")
                .remove("range");
        String etag = entry.headers.firstOrNull("etag");
        String lastModified = entry.headers.firstOrNull("last-modified");
        if (etag != null) {
            headers.set("if-none-match", etag);
        }
        if (lastModified != null) {
            headers.set("if-modified-since", lastModified);
        }
        return request.withMethod("GET").withHeaders(headers.build()).withBody(Body.empty());
    }

    /** The entry with the 304's headers merged in (RFC 9111 section 3.2) and its clock restarted. */
    private CacheEntry refreshed(CacheEntry entry, Response notModified, Request request, long requestNanos,
            long responseNanos) {
        Headers.Builder merged = entry.headers.toBuilder();
        Headers update = storedHeaders(notModified.headers());
        for (int i = 0; i < update.size(); i++) {
            String name = update.name(i).toLowerCase(java.util.Locale.ROOT);
            if (!KEEP_ON_304.contains(name)) {
                merged.remove(name);
            }
        }
        for (int i = 0; i < update.size(); i++) {
            String name = update.name(i).toLowerCase(java.util.Locale.ROOT);
            if (!KEEP_ON_304.contains(name)) {
                merged.add(update.name(i), update.value(i));
            }
        }
        return new CacheEntry(entry.status, merged.build(), entry.body, request, requestNanos, responseNanos,
                clock.instant().getEpochSecond(), CACHEABLE_BY_DEFAULT.contains(entry.status), surrogateToken);
    }

    private CompletionStage<Response> served(CacheEntry entry, Request request, long now, String status) {
        return CompletableFuture.completedFuture(served(entry, request, now, status, true));
    }

    /** The stored response for {@code request}: 304 to a matching client conditional, else the whole. */
    private Response served(CacheEntry entry, Request request, long now, String status, boolean fromCache) {
        Headers.Builder headers = entry.headers.toBuilder();
        if (fromCache) {
            headers.set("age", Long.toString(entry.currentAgeSeconds(now)));
        }
        headers.set("cache-status", name + "; " + status);
        if (notModified(request, entry)) {
            Headers.Builder validators = Headers.builder();
            for (String field : new String[] {"etag", "last-modified", "cache-control", "expires", "vary", "date",
                "age", "cache-status"}) {
                String value = headers.firstOrNull(field);
                if (value != null) {
                    validators.add(field, value);
                }
            }
            return Response.of(304, validators.build(), Body.empty());
        }
        if (entry.status == 200 && request.headers().contains("range")) {
            long lastModified = CacheEntry.epochSeconds(entry.headers.firstOrNull("last-modified"), Long.MIN_VALUE);
            long[] range = ByteRanges.single(request.headers(), entry.headers.firstOrNull("etag"), lastModified,
                    entry.body.length);
            if (range == ByteRanges.UNSATISFIABLE) {
                return ByteRanges.unsatisfiable(entry.body.length, "the range lies outside the stored response")
                        .withHeader("cache-status", name + "; " + status);
            }
            if (range != null) {
                int length = (int) (range[1] - range[0] + 1);
                headers.set("content-range", ByteRanges.contentRange(range, entry.body.length));
                headers.set("content-length", Integer.toString(length));
                return Response.of(206, headers.build(), request.method().equals("HEAD") ? Body.empty()
                        : new BytesBody(java.util.Arrays.copyOfRange(entry.body, (int) range[0],
                                (int) range[0] + length)));
            }
        }
        Response response = Response.of(entry.status, headers.build(),
                request.method().equals("HEAD") ? Body.empty() : new BytesBody(entry.body)); // never written to
        return request.method().equals("HEAD")
                ? response.withHeader("content-length", Integer.toString(entry.body.length)) : response;
    }

    private static boolean notModified(Request request, CacheEntry entry) {
        String ifNoneMatch = request.headers().firstOrNull("if-none-match");
        String etag = entry.headers.firstOrNull("etag");
        if (ifNoneMatch != null) {
            if (etag == null) {
                return false;
            }
            String opaque = etag.startsWith("W/") ? etag.substring(2) : etag;
            for (String candidate : ifNoneMatch.split(",")) {
                String c = candidate.trim();
                if (c.equals("*") || (c.startsWith("W/") ? c.substring(2) : c).equals(opaque)) {
                    return true;
                }
            }
            return false;
        }
        String since = request.headers().firstOrNull("if-modified-since");
        // without Last-Modified, the response's Date stands in (RFC 9111 section 4.3.2)
        String lastModified = entry.headers.firstOrNull("last-modified");
        if (lastModified == null) {
            lastModified = entry.headers.firstOrNull("date");
        }
        if (since == null || lastModified == null || (entry.status != 200 && entry.status != 203)) {
            return false;
        }
        long sinceSeconds = CacheEntry.epochSeconds(since, Long.MIN_VALUE);
        long modified = CacheEntry.epochSeconds(lastModified, Long.MAX_VALUE);
        return sinceSeconds != Long.MIN_VALUE && modified <= sinceSeconds;
    }

    private void invalidate(Exchange exchange, Request request, Response response) {
        entries.asMap().remove(key(exchange, request));
        for (String field : new String[] {"location", "content-location"}) {
            String target = response.headers().firstOrNull(field);
            if (target == null) {
                continue;
            }
            if (target.startsWith("/")) {
                entries.asMap().remove(key(scheme(exchange), request.host(), target));
            } else {
                try {
                    java.net.URI uri = java.net.URI.create(target);
                    if (uri.getHost() != null && uri.getHost().equalsIgnoreCase(request.host())) {
                        String scheme = uri.getScheme() == null ? scheme(exchange)
                                : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
                        entries.asMap().remove(key(scheme, request.host(), uri.getRawPath()
                                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())));
                    }
                } catch (IllegalArgumentException e) {
                    // not a URI: nothing to invalidate
                }
            }
        }
    }

    private Response status(Response response, String status) {
        return response.withHeader("cache-status", name + "; " + status);
    }
}
