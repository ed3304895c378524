package io.edgekit.proxy;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Body;
import io.edgekit.core.Filter;
import io.edgekit.core.Scheduler;
import io.edgekit.core.Headers;
import io.edgekit.core.Response;
import io.edgekit.proxy.internal.filters.Compression;
import io.edgekit.proxy.internal.filters.Decompression;
import io.edgekit.proxy.internal.filters.Template;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/** The reverse-proxy role's built-in filters. */
public final class ProxyFilters {
    /** Response headers that tell a client which software and hosts stand behind the edge. */
    public static final List<String> TOPOLOGY_HEADERS = List.of("server", "x-powered-by", "x-aspnet-version",
            "x-aspnetmvc-version", "x-backend-server", "x-upstream-addr", "x-served-by");

    private ProxyFilters() {
    }

    /** Content types compressed by default: text and the common structured text formats. */
    public static final List<String> COMPRESSIBLE_TYPES = List.of("text/", "application/json",
            "application/javascript", "application/xml", "application/xhtml+xml", "application/problem+json",
            "image/svg+xml", "application/wasm");

    /**
     * gzip or deflate compression negotiated from {@code Accept-Encoding}, for {@link #COMPRESSIBLE_TYPES}
     * of at least 256 bytes; streamed bodies are compressed as they stream.
     */
    public static Filter compression() {
        return new Compression(256, COMPRESSIBLE_TYPES);
    }

    /** Compression for the given content-type prefixes and bodies of at least {@code minBytes}. */
    public static Filter compression(long minBytes, List<String> contentTypes) {
        return new Compression(minBytes, List.copyOf(contentTypes));
    }

    /**
     * Decodes gzip and deflate responses for clients whose {@code Accept-Encoding} does not take them:
     * streamed bodies as they stream, in-memory ones up to {@code maxDecodedBytes} (a body that decodes
     * to more, or not at all, gets 502).
     */
    public static Filter decompression(long maxDecodedBytes) {
        return new Decompression(maxDecodedBytes);
    }

    /** Removes {@link #TOPOLOGY_HEADERS} from every response. */
    public static Filter hideTopology() {
        return Filter.named("hideTopology", removeResponseHeaders(TOPOLOGY_HEADERS));
    }

    /** Removes the named headers from every response. */
    public static Filter removeResponseHeaders(List<String> names) {
        List<String> lower = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        return Filter.named("removeResponseHeaders" + lower, (exchange, request, next) -> next.proceed(request)
                .thenApply(response -> without(response, lower)));
    }

    /**
     * Sets request header {@code name} to {@code template} rendered per request: placeholders
     * {@code {client_ip}}, {@code {request_id}}, {@code {method}}, {@code {path}}, {@code {host}},
     * {@code {scheme}}, or a path parameter of the route ({@code {id}} for {@code /users/{id}}).
     */
    public static Filter setRequestHeader(String name, String template) {
        Template parsed = Template.parse(requireNonNull(template, "template"));
        requireNonNull(name, "name");
        return Filter.named("setRequestHeader(" + name + ")", (exchange, request, next) ->
                next.proceed(request.withHeader(name, parsed.render(exchange, request))));
    }

    /** Adds request header {@code name} (after any of that name), rendered like {@link #setRequestHeader}. */
    public static Filter addRequestHeader(String name, String template) {
        Template parsed = Template.parse(requireNonNull(template, "template"));
        requireNonNull(name, "name");
        return Filter.named("addRequestHeader(" + name + ")", (exchange, request, next) -> next.proceed(
                request.withHeaders(request.headers().withAdded(name, parsed.render(exchange, request)))));
    }

    /** Removes the named request headers before the request goes on. */
    public static Filter removeRequestHeaders(List<String> names) {
        List<String> copy = List.copyOf(names);
        return Filter.named("removeRequestHeaders" + copy, (exchange, request, next) -> {
            Headers.Builder kept = null;
            for (String name : copy) {
                if (request.headers().contains(name)) {
                    kept = kept == null ? request.headers().toBuilder() : kept;
                    kept.remove(name);
                }
            }
            return next.proceed(kept == null ? request : request.withHeaders(kept.build()));
        });
    }

    /** Sets response header {@code name}, rendered like {@link #setRequestHeader} from the request. */
    public static Filter setResponseHeader(String name, String template) {
        Template parsed = Template.parse(requireNonNull(template, "template"));
        requireNonNull(name, "name");
        return Filter.named("setResponseHeader(" + name + ")", (exchange, request, next) -> {
            String value = parsed.render(exchange, request);
            return next.proceed(request).thenApply(response -> response.withHeader(name, value));
        });
    }

    /** Adds response header {@code name}, rendered like {@link #setRequestHeader} from the request. */
    public static Filter addResponseHeader(String name, String template) {
        Template parsed = Template.parse(requireNonNull(template, "template"));
        requireNonNull(name, "name");
        return Filter.named("addResponseHeader(" + name + ")", (exchange, request, next) -> {
            String value = parsed.render(exchange, request);
            return next.proceed(request).thenApply(response ->
                    response.withHeaders(response.headers().withAdded(name, value)));
        });
    }

    /**
     * Answers with a redirect to {@code location} (a template like {@link #setRequestHeader}'s, e.g.
     * {@code https://{host}{path}}); the query is kept. {@code status}: 301, 302, 303, 307 or 308.
     */
    public static Filter redirect(int status, String location) {
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            throw new IllegalArgumentException("status: " + status + " (expected: 301, 302, 303, 307 or 308)");
        }
        Template parsed = Template.parse(requireNonNull(location, "location"));
        return Filter.named("redirect(" + status + ")", (exchange, request, next) -> {
            String target = parsed.render(exchange, request);
            if (!request.query().isEmpty() && target.indexOf('?') < 0) {
                target = target + '?' + request.query();
            }
            return Response.of(status).withHeader("location", target).completed();
        });
    }

    /**
     * Redirects plain-HTTP requests to HTTPS with 308 (the method and body are kept), on {@code httpsPort}
     * (443 is left out of the URL); requests that arrived over TLS go on.
     */
    public static Filter httpsRedirect(int httpsPort) {
        if (httpsPort < 1 || httpsPort > 65535) {
            throw new IllegalArgumentException("httpsPort: " + httpsPort + " (expected: 1-65535)");
        }
        String port = httpsPort == 443 ? "" : ":" + httpsPort;
        return Filter.named("httpsRedirect(" + httpsPort + ")", (exchange, request, next) -> {
            if (exchange.isSecure()) {
                return next.proceed(request);
            }
            String host = request.host();
            if (host.isEmpty()) {
                return Response.problem(400, "Bad Request", "a redirect to HTTPS needs a Host").completed();
            }
            return Response.of(308).withHeader("location", "https://" + host + port + request.uri()).completed();
        });
    }

    /**
     * Adds {@code Strict-Transport-Security} to responses sent over TLS (never over plain HTTP, where
     * browsers ignore it).
     */
    public static Filter hsts(Duration maxAge, boolean includeSubDomains) {
        requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge: " + maxAge + " (expected: >= 0)");
        }
        String value = "max-age=" + maxAge.toSeconds() + (includeSubDomains ? "; includeSubDomains" : "");
        return Filter.named("hsts", (exchange, request, next) -> exchange.isSecure()
                ? next.proceed(request).thenApply(response -> response.withHeader("strict-transport-security", value))
                : next.proceed(request));
    }

    /**
     * Request buffering: the whole request body (up to {@code maxBytes}, else 413) is received before
     * the request goes on, so a slow upload never holds an upstream connection; an upload that takes
     * longer than {@code timeout} gets 408. The upstream then sees a body of known length.
     */
    public static Filter bufferRequests(long maxBytes, Duration timeout) {
        checkBound("maxBytes", maxBytes);
        requireNonNull(timeout, "timeout");
        return Filter.named("bufferRequests(" + maxBytes + ")", (exchange, request, next) -> {
            if (request.body().isEmpty()) {
                return next.proceed(request);
            }
            CompletableFuture<byte[]> body = request.body().aggregate(maxBytes).toCompletableFuture();
            Scheduler.Cancellable timer = exchange.scheduler().schedule(timeout,
                    () -> body.completeExceptionally(new Body.StalledException()));
            return body.thenCompose(bytes -> {
                timer.cancel();
                return next.proceed(request.withBody(Body.of(bytes)));
            });
        });
    }

    /**
     * Response buffering: a response of known length up to {@code maxBytes} is read whole from the
     * upstream before it is written, so a slow client does not pin the upstream connection; larger or
     * unknown-length responses stream as usual.
     */
    public static Filter bufferResponses(long maxBytes) {
        checkBound("maxBytes", maxBytes);
        return Filter.named("bufferResponses(" + maxBytes + ")", (exchange, request, next) ->
                next.proceed(request).thenCompose(response -> {
                    long length = response.body().length();
                    if (length <= 0 || length > maxBytes) {
                        return CompletableFuture.completedFuture(response);
                    }
                    return response.body().aggregate(maxBytes).thenApply(bytes -> response.withBody(Body.of(bytes)));
                }));
    }

    private static void checkBound(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
    }

    /** Rewrites the request path with a regex and replacement ({@code $1}) for the filters and target after it. */
    public static Filter rewritePath(String regex, String replacement) {
        Pattern pattern = Pattern.compile(requireNonNull(regex, "regex"));
        requireNonNull(replacement, "replacement");
        return Filter.named("rewritePath(" + regex + ")", (exchange, request, next) -> {
            String path = pattern.matcher(request.path()).replaceAll(replacement);
            if (path.isEmpty() || path.charAt(0) != '/') {
                path = "/" + path;
            }
            return next.proceed(path.equals(request.path()) ? request : request.withPath(path));
        });
    }

    /**
     * Fault injection for resilience tests: delays {@code fraction} of requests by {@code delay} (without
     * blocking: the request waits on the scheduler), drawn with {@code random}.
     */
    public static Filter faultDelay(double fraction, Duration delay, Random random) {
        checkFraction(fraction);
        requireNonNull(delay, "delay");
        requireNonNull(random, "random");
        return Filter.named("faultDelay(" + fraction + ", " + delay + ")", (exchange, request, next) -> {
            if (!draw(random, fraction)) {
                return next.proceed(request);
            }
            CompletableFuture<Response> delayed = new CompletableFuture<>();
            exchange.scheduler().schedule(delay, () -> next.proceed(request).whenComplete((response, error) -> {
                if (error != null) {
                    delayed.completeExceptionally(error);
                } else {
                    delayed.complete(response);
                }
            }));
            return delayed;
        });
    }

    /** Fault injection: answers {@code fraction} of requests with {@code status} at once, drawn with {@code random}. */
    public static Filter faultAbort(double fraction, int status, Random random) {
        checkFraction(fraction);
        requireNonNull(random, "random");
        Response answer = Response.problem(status, "Injected Fault", "fault injected by the edge");
        return Filter.named("faultAbort(" + fraction + ", " + status + ")", (exchange, request, next) ->
                draw(random, fraction) ? answer.completed() : next.proceed(request));
    }

    private static void checkFraction(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction: " + fraction + " (expected: 0.0-1.0)");
        }
    }

    private static boolean draw(Random random, double fraction) {
        return fraction >= 1 || random.nextDouble() < fraction; // Random is thread-safe and lock-free
    }

    private static Response without(Response response, List<String> names) {
        Headers headers = response.headers();
        boolean any = false;
        for (String name : names) {
            if (headers.contains(name)) {
                any = true;
                break;
            }
        }
        if (!any) {
            return response;
        }
        Headers.Builder kept = headers.toBuilder();
        for (String name : names) {
            kept.remove(name);
        }
        return response.withHeaders(kept.build());
    }
}
