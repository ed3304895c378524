package io.edgekit.proxy.internal.server;

import io.edgekit.core.Attempt;
import io.edgekit.core.Attr;
import io.edgekit.core.Exchange;
import io.edgekit.proxy.internal.io.ChannelPump;
import io.edgekit.proxy.internal.upstream.UpstreamCall;
import io.undertow.server.HttpServerExchange;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime's side of one request: its Undertow exchange, the upstream calls started for it (a client
 * that leaves abandons them), and what the completion report needs (when the head went out, the bytes
 * written).
 */
public final class Flight {
    static final Attr<Flight> KEY = Attr.named("edgekit.flight");

    final HttpServerExchange server;
    /** The first upstream call of the request (not a mirror's), and any after it. */
    private UpstreamCall call;
    private List<UpstreamCall> more;
    /** An Undertow handler target owns the exchange from now on. */
    boolean handedToUndertow;
    /** When the response head was written (ticker nanoseconds), 0 before. */
    long headNanos;
    /** Response body bytes written to the client, when written from memory or a file. */
    long bytesOut;
    /** The pump that streams the response body, when it streams. */
    ChannelPump pump;
    /** Why the response did not reach its end, or null. */
    Throwable failure;

    Flight(HttpServerExchange server) {
        this.server = server;
    }

    /** Remembers a call made for the client's answer, so a client that leaves abandons it. */
    void started(UpstreamCall started) {
        if (call == null) {
            call = started;
            return;
        }
        if (more == null) {
            more = new ArrayList<>(2);
        }
        more.add(started);
    }

    /** The call whose response the client gets: the serving attempt's, or null. */
    static UpstreamCall serving(Exchange exchange) {
        Attempt attempt = exchange.servingAttempt();
        return attempt == null ? null : attempt.getOrNull(UpstreamCall.KEY);
    }

    /** The client connection closed: every attempt in progress is abandoned. */
    void clientGone() {
        if (call != null) {
            call.abort();
        }
        if (more != null) {
            for (UpstreamCall other : more) {
                other.abort();
            }
        }
    }
}
