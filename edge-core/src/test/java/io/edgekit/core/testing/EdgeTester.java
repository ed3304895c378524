package io.edgekit.core.testing;

import io.edgekit.core.Edge;
import io.edgekit.core.Exchange;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Runs requests through an {@link Edge} in memory, as if they arrived on a listener: the same
 * canonicalisation, routing, policies, filters and attempt loop, with a {@link ManualClock} and an
 * {@link InMemoryTransport} instead of sockets.
 */
public final class EdgeTester {
    private final Edge edge;
    private final InMemoryTransport transport;
    private final ManualClock clock;

    public EdgeTester(Edge edge, InMemoryTransport transport) {
        this(edge, transport, new ManualClock());
    }

    /** A tester on a clock shared with other testers or components. */
    public EdgeTester(Edge edge, InMemoryTransport transport, ManualClock clock) {
        this.edge = edge;
        this.transport = transport;
        this.clock = clock;
    }

    public ManualClock clock() {
        return clock;
    }

    /** Sends {@code request} from {@code peerIp}, without waiting for the answer. */
    public java.util.concurrent.CompletableFuture<Response> start(Request request, String peerIp) {
        return handle(exchange(request, peerIp));
    }

    /**
     * Runs an exchange made by {@link #exchange} and, as a runtime does, reports the response head and the
     * completion to its listeners (the body's length, when known, as the bytes written).
     */
    public java.util.concurrent.CompletableFuture<Response> handle(Exchange exchange) {
        return edge.runtime().handle(exchange, transport).toCompletableFuture().thenApply(response -> {
            edge.runtime().responseHeadWritten(exchange, response.status());
            long in = Math.max(0, exchange.request().body().length());
            edge.runtime().complete(exchange, response.status(), in, Math.max(0, response.body().length()),
                    clock.nanos(), response.headers().firstOrNull("cache-status"), null);
            return response;
        });
    }

    /** Sends {@code request} as if it arrived over TLS, from 203.0.113.10, and waits for the answer. */
    public Response sendSecure(Request request) {
        Exchange exchange = edge.runtime().accept(Exchange.builder(request)
                .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 50000))
                .secure(true)
                .ticker(clock)
                .scheduler(clock), 8443);
        return handle(exchange).join();
    }

    /** Sends {@code request} from 203.0.113.10 and waits for the answer. */
    public Response send(Request request) {
        return start(request, "203.0.113.10").join();
    }

    public Exchange exchange(Request request, String peerIp) {
        InetAddress peer;
        try {
            peer = InetAddress.getByName(peerIp);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(peerIp, e);
        }
        return edge.runtime().accept(Exchange.builder(request)
                .peer(new InetSocketAddress(peer, 50000))
                .ticker(clock)
                .scheduler(clock), 8080);
    }
}
