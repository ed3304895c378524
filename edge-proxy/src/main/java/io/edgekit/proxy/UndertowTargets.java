package io.edgekit.proxy;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Handler;
import io.edgekit.proxy.internal.server.UndertowHandlerTarget;
import io.undertow.server.HttpHandler;

/**
 * In-process targets written as Undertow handlers: the adapter that lets an Undertow application put
 * its existing handlers behind the edge's routes, policies and filters, in the same JVM with no network
 * hop. It is the one place besides {@link EdgeServer#httpHandler} where an Undertow type crosses the
 * public API.
 */
public final class UndertowTargets {
    private UndertowTargets() {
    }

    /**
     * A target that runs {@code handler} on the client's own exchange, after the route's policies and
     * the request phase of its filters (their changes to method, path, query and headers are applied
     * to the exchange first). The handler answers the client directly, as it would in a plain Undertow
     * server, and may dispatch to a worker thread as usual. Because the answer never passes through the
     * edge, the response phase of filters sees its status and headers once it is complete, but cannot
     * change them; a filter that replaced the request body cannot hand the new body to the handler.
     * Works on an {@link EdgeServer} (or an edge mounted with {@link EdgeServer#httpHandler}).
     */
    public static Handler handler(HttpHandler handler) {
        return new UndertowHandlerTarget(requireNonNull(handler, "handler"));
    }
}
