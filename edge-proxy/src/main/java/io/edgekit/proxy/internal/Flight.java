package io.edgekit.proxy.internal;

import io.edgekit.core.Attr;
import io.undertow.server.HttpServerExchange;

/** The runtime's side of one request: its Undertow exchange and the upstream attempt in progress. */
final class Flight {
    static final Attr<Flight> KEY = Attr.named("edgekit.flight");

    final HttpServerExchange server;
    UpstreamCall call;
    /** An Undertow handler target owns the exchange from now on. */
    boolean handedToUndertow;

    Flight(HttpServerExchange server) {
        this.server = server;
    }

    /** The client connection closed: an attempt in progress is abandoned. */
    void clientGone() {
        UpstreamCall current = call;
        if (current != null) {
            current.abort();
        }
    }
}
