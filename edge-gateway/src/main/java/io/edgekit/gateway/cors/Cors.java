package io.edgekit.gateway.cors;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Exchange;
import io.edgekit.core.Filter;
import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * Cross-origin resource sharing, answered at the edge. Add it as an edge-wide decorator
 * ({@code Edge.Builder.decorator}) so that preflights are answered before routing and any policy (a
 * browser sends them without credentials, so an auth policy would refuse them), or as a route filter.
 *
 * <ul>
 *   <li>A preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) is
 *   answered here and never reaches an upstream: 204 with the allowed origin, methods, headers, credentials
 *   and max-age when the origin, the method and every requested header are allowed; 403 problem+json
 *   naming what is not, with no {@code Access-Control-Allow-*} field, otherwise.</li>
 *   <li>Other requests go on; the response of an allowed origin gets {@code Access-Control-Allow-Origin}
 *   (that origin: never {@code *} or a reflected origin when credentials are allowed, and {@code *} only
 *   when any origin is allowed without credentials), {@code Access-Control-Allow-Credentials} and
 *   {@code Access-Control-Expose-Headers}; an upstream's own {@code Access-Control-*} fields are replaced.</li>
 *   <li>Every response that depends on {@code Origin} carries {@code Vary: Origin}.</li>
 * </ul>
 */
public final class Cors implements Filter {
    private final Set<String> origins;
    private final List<Pattern> originPatterns;
    private final boolean anyOrigin;
    private final Set<String> methods;
    private final Set<String> headers;
    private final String exposed;
    private final boolean credentials;
    private final String maxAge;
    private final String allowMethods;
    private final String pathPrefix;

    private Cors(Builder b) {
        this.pathPrefix = b.pathPrefix;
        this.origins = Set.copyOf(b.origins);
        this.originPatterns = List.copyOf(b.patterns);
        this.anyOrigin = b.anyOrigin;
        this.methods = Set.copyOf(b.methods);
        this.headers = Set.copyOf(b.headers);
        this.exposed = String.join(", ", b.exposed);
        this.credentials = b.credentials;
        this.maxAge = Long.toString(b.maxAge.toSeconds());
        this.allowMethods = String.join(", ", b.methods);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "cors";
    }

    @Override
    public CompletionStage<Response> filter(Exchange exchange, Request request, Next next) {
        if (pathPrefix != null && !request.path().startsWith(pathPrefix)) {
            return next.proceed(request);
        }
        String origin = request.headers().firstOrNull("origin");
        if (origin == null) {
            return next.proceed(request).thenApply(Cors::varyOrigin);
        }
        if (request.method().equals("OPTIONS") && request.headers().contains("access-control-request-method")) {
            return CompletableFuture.completedFuture(preflight(request, origin));
        }
        boolean allowed = allows(origin);
        return next.proceed(request).thenApply(response -> {
            Response out = varyOrigin(withoutCorsFields(response));
            if (!allowed) {
                return out;
            }
            out = out.withHeader("Access-Control-Allow-Origin", anyOrigin && !credentials ? "*" : origin);
            if (credentials) {
                out = out.withHeader("Access-Control-Allow-Credentials", "true");
            }
            return exposed.isEmpty() ? out : out.withHeader("Access-Control-Expose-Headers", exposed);
        });
    }

    private Response preflight(Request request, String origin) {
        String method = request.headers().firstOrNull("access-control-request-method").trim();
        List<String> asked = new ArrayList<>();
        for (String value : request.headers().all("access-control-request-headers")) {
            for (String name : value.split(",")) {
                if (!name.isBlank()) {
                    asked.add(name.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        String refused = !allows(origin) ? "origin " + origin + " is not allowed"
                : !methods.contains(method) ? "method " + method + " is not allowed (allowed: " + allowMethods + ")"
                : firstNotAllowed(asked);
        Response response;
        if (refused != null) {
            response = Response.problem(403, "Forbidden", "CORS preflight refused: " + refused);
        } else {
            response = Response.of(204)
                    .withHeader("Access-Control-Allow-Origin", anyOrigin && !credentials ? "*" : origin)
                    .withHeader("Access-Control-Allow-Methods", allowMethods)
                    .withHeader("Access-Control-Max-Age", maxAge);
            if (!asked.isEmpty()) {
                response = response.withHeader("Access-Control-Allow-Headers", String.join(", ", asked));
            }
            if (credentials) {
                response = response.withHeader("Access-Control-Allow-Credentials", "true");
            }
        }
        return response.withHeader("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    }

    private String firstNotAllowed(List<String> asked) {
        for (String name : asked) {
            if (!headers.contains(name)) {
                return "header " + name + " is not allowed";
            }
        }
        return null;
    }

    private boolean allows(String origin) {
        if (anyOrigin || origins.contains(origin)) {
            return true;
        }
        for (Pattern pattern : originPatterns) {
            if (pattern.matcher(origin).matches()) {
                return true;
            }
        }
        return false;
    }

    private static Response withoutCorsFields(Response response) {
        Headers headers = response.headers();
        for (int i = 0; i < headers.size(); i++) {
            if (headers.name(i).regionMatches(true, 0, "access-control-", 0, 15)) {
                Headers.Builder kept = Headers.builder(headers.size());
                for (int j = 0; j < headers.size(); j++) {
                    if (!headers.name(j).regionMatches(true, 0, "access-control-", 0, 15)) {
                        kept.add(headers.name(j), headers.value(j));
                    }
                }
                return response.withHeaders(kept.build());
            }
        }
        return response;
    }

    /** Adds {@code Origin} to the response's {@code Vary}, unless it is there already. */
    private static Response varyOrigin(Response response) {
        List<String> vary = response.headers().all("vary");
        for (String value : vary) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (t.equalsIgnoreCase("origin") || t.equals("*")) {
                    return response;
                }
            }
        }
        return response.withHeaders(response.headers().withAdded("Vary", "Origin"));
    }

    /** Builds a {@link Cors} filter: at least one origin. */
    public static final class Builder {
        private static final Pattern ORIGIN = Pattern.compile("https?://[a-z0-9.-]+(:\\d{1,5})?");
        private final Set<String> origins = new LinkedHashSet<>();
        private final List<Pattern> patterns = new ArrayList<>();
        private boolean anyOrigin;
        private final Set<String> methods = new LinkedHashSet<>(List.of("GET", "HEAD", "POST"));
        private final Set<String> headers = new LinkedHashSet<>();
        private final Set<String> exposed = new LinkedHashSet<>();
        private boolean credentials;
        private Duration maxAge = Duration.ofMinutes(10);
        private String pathPrefix;

        /** Acts only on paths starting with {@code prefix} (such as {@code /api/}); others pass untouched. */
        public Builder pathPrefix(String prefix) {
            if (!requireNonNull(prefix, "prefix").startsWith("/")) {
                throw new IllegalArgumentException("pathPrefix: \"" + prefix + "\" (expected: a path, such as /api/)");
            }
            this.pathPrefix = prefix;
            return this;
        }

        /** Origins allowed exactly, such as {@code https://app.example.com} (scheme, host, optional port). */
        public Builder allowOrigins(String... origins) {
            for (String origin : origins) {
                if (!ORIGIN.matcher(requireNonNull(origin, "origin")).matches()) {
                    throw new IllegalArgumentException("allowOrigins: \"" + origin + "\" (expected: scheme://host[:port]"
                            + " in lower case, no path, such as https://app.example.com)");
                }
                this.origins.add(origin);
            }
            return this;
        }

        /**
         * Origins allowed by a pattern in which {@code *} stands for one or more DNS labels:
         * {@code https://*.example.com} allows {@code https://a.example.com}, never {@code https://example.com}
         * or {@code https://evil-example.com}.
         */
        public Builder allowOriginPattern(String pattern) {
            requireNonNull(pattern, "pattern");
            if (!ORIGIN.matcher(pattern.replace("*", "x")).matches() || !pattern.contains("*.")) {
                throw new IllegalArgumentException("allowOriginPattern: \"" + pattern + "\" (expected: such as"
                        + " https://*.example.com)");
            }
            String regex = Pattern.quote(pattern).replace("*", "\\E[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\Q");
            patterns.add(Pattern.compile(regex));
            return this;
        }

        /** Any origin: answered with {@code *}; refused together with credentials. */
        public Builder allowAnyOrigin() {
            this.anyOrigin = true;
            return this;
        }

        /** The methods a preflight may ask for (GET, HEAD and POST by default). */
        public Builder allowMethods(String... methods) {
            this.methods.clear();
            for (String method : methods) {
                this.methods.add(requireNonNull(method, "method").toUpperCase(Locale.ROOT));
            }
            return this;
        }

        /** The request fields a preflight may ask for (case-insensitive). */
        public Builder allowHeaders(String... names) {
            for (String name : names) {
                headers.add(requireNonNull(name, "name").toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /** Response fields the browser may show the page. */
        public Builder exposeHeaders(String... names) {
            for (String name : names) {
                exposed.add(requireNonNull(name, "name"));
            }
            return this;
        }

        /** Whether the browser may send cookies and credentials (never with any origin). */
        public Builder allowCredentials(boolean credentials) {
            this.credentials = credentials;
            return this;
        }

        /** How long a browser may keep a preflight's answer (10 minutes). */
        public Builder maxAge(Duration maxAge) {
            this.maxAge = requireNonNull(maxAge, "maxAge");
            return this;
        }

        public Cors build() {
            if (!anyOrigin && origins.isEmpty() && patterns.isEmpty()) {
                throw new IllegalStateException("no origin: add one with allowOrigins(\"https://app.example.com\")");
            }
            if (anyOrigin && credentials) {
                throw new IllegalStateException("any origin with credentials would let every site act as the user:"
                        + " list the origins with allowOrigins instead");
            }
            return new Cors(this);
        }
    }
}
