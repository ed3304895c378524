package io.edgekit.gateway.limits;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Exchange;
import io.edgekit.core.Identity;
import io.edgekit.core.Request;

/**
 * What a limit counts by. The built-in keys: the client address (as resolved through the trusted proxies),
 * the consumer (the identity an auth policy set, else the client address), an API key's id, the route, a
 * header's value. A key is prefixed by its kind, so that values of two kinds never share a bucket.
 */
@FunctionalInterface
public interface LimitKey {
    /** The key of this request, never null. */
    String of(Exchange exchange, Request request);

    /** The client address: each client its own bucket. */
    static LimitKey clientIp() {
        return (exchange, request) -> "ip:" + exchange.clientIp();
    }

    /** The consumer an auth policy identified; requests with no identity count by client address. */
    static LimitKey consumer() {
        return (exchange, request) -> {
            Identity identity = exchange.identity().orElse(null);
            return identity != null ? "consumer:" + identity.subject() : "ip:" + exchange.clientIp();
        };
    }

    /** The API key's id (identity attribute {@code key-id}); requests without one count by client address. */
    static LimitKey apiKey() {
        return (exchange, request) -> {
            String id = exchange.identity().map(i -> i.attributes().get("key-id")).orElse(null);
            return id != null ? "key:" + id : "ip:" + exchange.clientIp();
        };
    }

    /** The route: one bucket shared by every client of it. */
    static LimitKey route() {
        return (exchange, request) -> "route:" + exchange.routeMatch().map(m -> m.route().id()).orElse("-");
    }

    /** The value of header {@code name}; requests without it share one bucket. */
    static LimitKey header(String name) {
        requireNonNull(name, "name");
        String prefix = "header:" + name + ":";
        return (exchange, request) -> {
            String value = request.headers().firstOrNull(name);
            return prefix + (value == null ? "" : value);
        };
    }
}
