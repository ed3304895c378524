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
 * {@link InMemoryTransport} instead of sockets. Requests arrive on port 8080 (8443 for
 * {@link #sendSecure}); the engine's listeners hear every event, the response head and the completion
 * included, as they would behind a real listener.
 *
 * <pre>{@code
 * InMemoryTransport upstreams = new InMemoryTransport()
 *         .serve("10.0.0.1:8080", (exchange, request) -> Response.of(200, "text/plain", "hi").completed());
 * Edge edge = Edge.builder()
 *         .route(Route.named("api").path("/api/**").policy(Policies.requireHeader("x-tenant"))
 *                 .to(Upstream.named("api").endpoint("10.0.0.1", 8080).build()).build())
 *         .build();
 * EdgeTester tester = new EdgeTester(edge, upstreams);
 * assertEquals(400, tester.send(Request.get("/api/orders")).status());
 * }</pre>
 */
public final class EdgeTester {
    private final Edge edge;
    private final InMemoryTransport transport;
    private final ManualClock clock;

    /** A tester with its own clock, starting at zero. */
    public EdgeTester(Edge edge, InMemoryTransport transport) {
        this(edge, transport, new ManualClock());
    }

    /** A tester on a clock shared with other testers or components. */
    public EdgeTester(Edge edge, InMemoryTransport transport, ManualClock clock) {
        this.edge = edge;
        this.transport = transport;
        this.clock = clock;
    }

    /** The clock the exchanges run on: advance it to pass timeouts and scheduled work. */
    public ManualClock clock() {
        return clock;
    }

    /**
     * Sends {@code request} from {@code peerIp} (an IP literal; the peer port is 50000), without waiting for
     * the answer, which may need the clock advanced (a hanging upstream and a timeout, a retry's backoff).
     */
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

    /** Sends {@code request} as if it arrived over TLS on port 8443, from the loopback address, and waits for the answer. */
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

    /**
     * An exchange for {@code request} from {@code peerIp} on port 8080, accepted by the engine (its
     * listeners heard {@code headReceived}) and not yet run: pass it to {@link #handle}.
     */
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
