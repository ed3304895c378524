package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The time limits on a proxied request. {@link Duration#ZERO} switches a limit off.
 *
 * @param connect         to open a connection to an endpoint (then 504)
 * @param responseHeaders from the request fully sent to the response headers (then 504)
 * @param idle            with no bytes moving either way (504 before the response started, else the
 *                        connections are closed)
 * @param total           for the whole exchange, response body included
 */
public record Timeouts(Duration connect, Duration responseHeaders, Duration idle, Duration total) {
    public static final Timeouts DEFAULT =
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ZERO);

    public Timeouts {
        check("connect", connect);
        check("responseHeaders", responseHeaders);
        check("idle", idle);
        check("total", total);
    }

    private static void check(String name, Duration value) {
        requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
    }

    public Timeouts withConnect(Duration connect) {
        return new Timeouts(connect, responseHeaders, idle, total);
    }

    public Timeouts withResponseHeaders(Duration responseHeaders) {
        return new Timeouts(connect, responseHeaders, idle, total);
    }

    public Timeouts withIdle(Duration idle) {
        return new Timeouts(connect, responseHeaders, idle, total);
    }

    public Timeouts withTotal(Duration total) {
        return new Timeouts(connect, responseHeaders, idle, total);
    }
}
