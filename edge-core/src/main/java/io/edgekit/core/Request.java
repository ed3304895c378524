package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.internal.Hosts;

/**
 * An immutable HTTP request as the edge sees it: method, scheme, authority, path (without the query,
 * as sent: percent-encodings are kept), raw query, headers and body. The {@code Host} header is not
 * among the headers: {@link #authority()} is the Host, and {@link #withAuthority} changes it. {@code withX} methods return
 * changed copies. Thread-safe.
 */
public final class Request {
    private final String method;
    private final String scheme;
    private final String authority;
    private final String path;
    private final String query;
    private final Headers headers;
    private final Body body;
    /** {@link #host()}, made on first use; a race makes it twice, to the same value. */
    private String host;

    private Request(String method, String scheme, String authority, String path, String query,
            Headers headers, Body body) {
        this.method = requireNonNull(method, "method");
        this.scheme = requireNonNull(scheme, "scheme");
        this.authority = requireNonNull(authority, "authority");
        this.path = requireNonNull(path, "path");
        this.query = requireNonNull(query, "query");
        this.headers = requireNonNull(headers, "headers");
        this.body = requireNonNull(body, "body");
        if (path.isEmpty() || path.charAt(0) != '/') {
            throw new IllegalArgumentException("path: \"" + path + "\" (expected: starts with /)");
        }
    }

    /** A GET request for {@code pathAndQuery} (such as {@code /orders?page=2}) with no headers. */
    public static Request get(String pathAndQuery) {
        return of("GET", pathAndQuery);
    }

    public static Request of(String method, String pathAndQuery) {
        return builder().method(method).uri(pathAndQuery).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String method() {
        return method;
    }

    /** {@code http} or {@code https}: how the request reached the edge. */
    public String scheme() {
        return scheme;
    }

    /** The host (and port) the client addressed: the {@code Host} header, or "" if it sent none. */
    public String authority() {
        return authority;
    }

    /** The authority without a port, lower-cased. */
    public String host() {
        String made = host;
        if (made == null) {
            made = Hosts.hostOf(authority);
            host = made;
        }
        return made;
    }

    public String path() {
        return path;
    }

    /** The raw query without {@code ?}, or "" when there is none. */
    public String query() {
        return query;
    }

    /** The first value of query parameter {@code name}, percent-decoded; "" for a name without {@code =}; null if absent. */
    public String queryParam(String name) {
        return QueryParams.first(query(), name);
    }

    /** Path and query as they go on a request line. */
    public String uri() {
        return query.isEmpty() ? path : path + '?' + query;
    }

    public Headers headers() {
        return headers;
    }

    public Body body() {
        return body;
    }

    public Request withMethod(String method) {
        return new Request(method, scheme, authority, path, query, headers, body);
    }

    public Request withPath(String path) {
        return new Request(method, scheme, authority, path, query, headers, body);
    }

    public Request withQuery(String query) {
        return new Request(method, scheme, authority, path, query, headers, body);
    }

    public Request withAuthority(String authority) {
        return new Request(method, scheme, authority, path, query, headers, body);
    }

    public Request withHeaders(Headers headers) {
        return new Request(method, scheme, authority, path, query, headers, body);
    }

    /** A copy where {@code name} has the single value {@code value}. */
    public Request withHeader(String name, String value) {
        return new Request(method, scheme, authority, path, query, headers.with(name, value), body);
    }

    public Request withBody(Body body) {
        return new Request(method, scheme, authority, path, query, headers, body);
    }

    public Builder toBuilder() {
        return new Builder().method(method).scheme(scheme).authority(authority).path(path).query(query)
                .headers(headers).body(body);
    }

    @Override
    public String toString() {
        return "Request[" + method + " " + scheme + "://" + authority + uri() + "]";
    }

    /** Builds a {@link Request}. Scalar setters overwrite. Not thread-safe. */
    public static final class Builder {
        private String method = "GET";
        private String scheme = "http";
        private String authority = "";
        private String path = "/";
        private String query = "";
        private Headers headers = Headers.of();
        private Body body = Body.empty();

        private Builder() {
        }

        public Builder method(String method) {
            requireNonNull(method, "method");
            if (method.isEmpty()) {
                throw new IllegalArgumentException("method: \"\" (expected: a token such as GET)");
            }
            this.method = method;
            return this;
        }

        public Builder scheme(String scheme) {
            this.scheme = requireNonNull(scheme, "scheme");
            return this;
        }

        public Builder authority(String authority) {
            this.authority = requireNonNull(authority, "authority");
            return this;
        }

        public Builder path(String path) {
            this.path = requireNonNull(path, "path");
            return this;
        }

        public Builder query(String query) {
            this.query = requireNonNull(query, "query");
            return this;
        }

        /** Sets path and query from {@code /path?query}. */
        public Builder uri(String pathAndQuery) {
            requireNonNull(pathAndQuery, "pathAndQuery");
            int q = pathAndQuery.indexOf('?');
            if (q < 0) {
                return path(pathAndQuery).query("");
            }
            return path(pathAndQuery.substring(0, q)).query(pathAndQuery.substring(q + 1));
        }

        public Builder headers(Headers headers) {
            this.headers = requireNonNull(headers, "headers");
            return this;
        }

        public Builder header(String name, String value) {
            this.headers = headers.withAdded(name, value);
            return this;
        }

        public Builder body(Body body) {
            this.body = requireNonNull(body, "body");
            return this;
        }

        /** Builds the request; a {@code Host} header becomes the authority (when none was set). */
        public Request build() {
            String host = headers.firstOrNull("host");
            String effective = authority.isEmpty() && host != null ? host : authority;
            Headers rest = host == null ? headers : headers.without("host");
            return new Request(method, scheme, effective, path, query, rest, body);
        }
    }
}
