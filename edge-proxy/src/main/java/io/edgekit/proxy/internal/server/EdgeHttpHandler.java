package io.edgekit.proxy.internal.server;

import io.edgekit.core.Edge;
import io.edgekit.core.EdgeRuntime;
import io.edgekit.core.Exchange;
import io.edgekit.core.Headers;
import io.edgekit.core.ProbeClient;
import io.edgekit.core.Problem;
import io.edgekit.core.Request;
import io.edgekit.core.Ticker;
import io.edgekit.core.Upstream;
import io.edgekit.core.internal.RequestIds;
import io.edgekit.proxy.internal.io.IoScheduler;
import io.edgekit.proxy.internal.io.IoThreads;
import io.edgekit.proxy.internal.upstream.ConnectionPools;
import io.edgekit.proxy.internal.upstream.Tunnel;
import io.edgekit.proxy.internal.upstream.UpstreamCall;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HttpString;
import io.undertow.util.Protocols;
import io.undertow.util.SameThreadExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The Undertow handler in front of the engine: turns the Undertow exchange into an edge request, runs
 * the engine on the IO thread, and writes the response back, streaming an upstream body straight from
 * the upstream connection to the client connection.
 */
public final class EdgeHttpHandler implements HttpHandler {
    private static final Logger logger = LoggerFactory.getLogger(EdgeHttpHandler.class);
    private static final AttachmentKey<ConnectionSlot> SLOT = AttachmentKey.create(ConnectionSlot.class);

    private static final HttpString REQUEST_ID = HttpString.tryFromString("X-Request-Id");
    private static final HttpString CACHE_STATUS = HttpString.tryFromString("Cache-Status");

    private final Edge edge;
    private final EdgeRuntime runtime;
    private final ListenerLimits limits;
    private final UndertowTransport transport;
    private final Ticker ticker;
    private final InboundRequests inbound;
    private final ResponseWriter writer;
    private final Executor offloadExecutor;
    private final ConnectionPools pools;
    private final IoScheduler[] schedulers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object drainLock = new Object();
    private volatile boolean draining;

    public EdgeHttpHandler(Edge edge, int ioThreads, Executor offloadExecutor, ListenerLimits limits) {
        this.edge = edge;
        this.runtime = edge.runtime();
        this.limits = limits;
        this.ticker = runtime.ticker();
        this.pools = new ConnectionPools(ioThreads, ticker);
        this.transport = new UndertowTransport(pools, ioThreads, ticker);
        this.schedulers = new IoScheduler[ioThreads];
        this.offloadExecutor = offloadExecutor;
        this.inbound = new InboundRequests(limits);
        runtime.onEndpointRemoved((upstream, endpoint) -> {
            for (io.edgekit.core.EndpointGroup group : edge.endpointGroups().values()) {
                if (group.snapshot().state(endpoint.address()).isPresent()) {
                    return; // another upstream still sends there: its connections stay
                }
            }
            pools.closeEndpoint(endpoint);
        });
        this.writer = new ResponseWriter(runtime, ticker, transport);
    }

    /**
     * A probe client on {@code worker}'s IO threads and the edge's upstream connection pools: each probe
     * is an upstream call made on an IO thread outside any client's request.
     */
    public ProbeClient probes(XnioWorker worker, ByteBufferPool buffers) {
        return new Probes(ticker, transport, pools, this::scheduler).probes(worker, buffers);
    }

    /** The scheduler of an IO thread, made once per thread. */
    private IoScheduler scheduler(org.xnio.XnioIoThread ioThread) {
        int n = ioThread.getNumber();
        IoScheduler scheduler = schedulers[n];
        if (scheduler == null) {
            scheduler = new IoScheduler(ioThread);
            schedulers[n] = scheduler; // each slot is only ever written by its own thread
        }
        return scheduler;
    }

    /** Upstream connections open now, busy and idle. */
    public int openUpstreamConnections() {
        return pools.openConnections();
    }

    /** Requests received and not yet completed. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Stops taking new requests (they get 503 and a closed connection) and waits up to {@code millis}
     * for those in flight to complete. Returns true if none is left. Call from a thread that may block.
     */
    public boolean drain(long millis) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (drainLock) {
            while (inFlight.get() > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                drainLock.wait(left);
            }
        }
        return true;
    }

    @Override
    public void handleRequest(HttpServerExchange server) {
        if (draining) {
            server.setPersistent(false);
            answerDirectly(server, new Problem(503, "Service Unavailable", "the edge is shutting down"));
            return;
        }
        HeadScanConduit scanner = InboundRequests.scannerOf(server);
        InboundRequests.InboundHead head = InboundRequests.InboundHead.read(server.getRequestHeaders());
        Problem refused = inbound.check(server, scanner, head);
        if (refused != null) {
            server.setPersistent(false); // never read on after a head we refused: nothing can be smuggled
            answerDirectly(server, refused);
            return;
        }
        Request raw;
        try {
            raw = inbound.toRequest(server, head);
        } catch (IllegalArgumentException e) {
            server.setPersistent(false);
            answerDirectly(server, new Problem(400, "Bad Request", "malformed request: " + e.getMessage()));
            return;
        }
        Problem tooLarge = inbound.checkHeaderSize(raw);
        if (tooLarge != null) {
            server.setPersistent(false);
            answerDirectly(server, tooLarge);
            return;
        }
        ConnectionSlot slot = slot(server, scanner);
        InetSocketAddress peer = slot.peer;
        InetSocketAddress local = slot.local;
        Exchange.Builder inbound = Exchange.builder(raw)
                .peer(peer)
                // the scheme Undertow set from the connection (https under TLS); isSecure() also looks up an
                // attachment no part of the edge sets, on every request
                .secure("https".equals(server.getRequestScheme()))
                .ticker(ticker)
                .scheduler(scheduler(server.getIoThread()))
                .offloadExecutor(offloadExecutor);
        Exchange exchange = runtime.accept(inbound, local.getPort());
        String te = head.te;
        if (te != null && te.toLowerCase(java.util.Locale.ROOT).contains("trailers")) {
            exchange.put(UpstreamCall.TE_TRAILERS, Boolean.TRUE);
        }
        String upgrade = InboundRequests.upgradeAsked(server, head);
        if (upgrade != null) {
            exchange.put(Tunnel.UPGRADE, upgrade);
        }
        Flight flight = new Flight(server);
        exchange.put(Flight.KEY, flight);
        watchConnection(server, slot, exchange, flight, scanner);
        boolean http2 = server.getProtocol().equals(Protocols.HTTP_2_0);
        server.dispatch(SameThreadExecutor.INSTANCE, () -> runtime.handle(exchange, transport)
                .whenComplete((response, error) -> {
                    Runnable respond = () -> writer.write(server, exchange, flight, response, error);
                    if (http2) {
                        // at once, as before: deferred to the end of the turn, answers met streams the client
                        // had reset later in the same turn, and a rapid-reset flood (Http2IT) no longer
                        // ended in a GOAWAY the client could read, about one run in two
                        IoThreads.run(server.getIoThread(), respond);
                    } else {
                        IoThreads.atEndOfTurn(server.getIoThread(), respond); // with this turn's other writes
                    }
                }));
    }

    /**
     * Answers before an exchange exists (refused heads, shutting down), with a request id of its own: in
     * the body, and in {@code X-Request-Id} when the edge sends that field.
     */
    private void answerDirectly(HttpServerExchange server, Problem problem) {
        String requestId = RequestIds.next();
        Exchange refused = runtime.refused(Exchange.builder(InboundRequests.refusedRequest(server))
                .requestId(requestId)
                .peer(server.getSourceAddress())
                .ticker(ticker)
                .scheduler(scheduler(server.getIoThread())));
        server.addExchangeCompleteListener((ex, next) -> {
            runtime.complete(refused, problem.status(), 0, ex.getResponseBytesSent(), 0, null, null);
            next.proceed();
        });
        runtime.responseHeadWritten(refused, problem.status());
        server.setStatusCode(problem.status());
        server.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (edge.sendsRequestIdField()) {
            server.getResponseHeaders().put(REQUEST_ID, requestId);
        }
        server.getResponseSender().send(problem.toJson(requestId));
    }

    /**
     * Ties the flight to its client connection (a closing connection abandons the upstream attempt) and
     * registers the one completion listener a request needs.
     */
    private void watchConnection(HttpServerExchange server, ConnectionSlot slot, Exchange exchange, Flight flight,
            HeadScanConduit scanner) {
        slot.flight = flight;
        inFlight.incrementAndGet();
        server.addExchangeCompleteListener(new Completion(slot, exchange, flight, scanner));
    }

    /**
     * What happens when an exchange completes: the listener's report, the connection's slot, the drain
     * count, the head scanner.
     */
    private final class Completion implements ExchangeCompletionListener {
        private final ConnectionSlot slot;
        private final Exchange exchange;
        private final Flight flight;
        private final HeadScanConduit scanner;

        Completion(ConnectionSlot slot, Exchange exchange, Flight flight, HeadScanConduit scanner) {
            this.slot = slot;
            this.exchange = exchange;
            this.flight = flight;
            this.scanner = scanner;
        }

        @Override
        public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
            if (slot.flight == flight) {
                slot.flight = null;
            }
            writer.report(exchange, this.exchange, flight);
            if (scanner != null && exchange.getStatusCode() != 101) {
                // after a switch, the connection carries another protocol: no heads
                io.undertow.connector.PooledByteBuffer ahead = exchange.getConnection() instanceof
                        io.undertow.server.AbstractServerConnection connection ? connection.getExtraBytes() : null;
                scanner.expectHead(ahead == null || !ahead.isOpen() ? null : ahead.getBuffer());
            }
            if (inFlight.decrementAndGet() == 0 && draining) {
                synchronized (drainLock) {
                    drainLock.notifyAll();
                }
            }
            next.proceed();
        }
    }

    /** What the edge keeps per client connection: its addresses (asked once) and the request in flight. */
    private static final class ConnectionSlot {
        final InetSocketAddress peer;
        final InetSocketAddress local;
        Flight flight;

        ConnectionSlot(InetSocketAddress peer, InetSocketAddress local) {
            this.peer = peer;
            this.local = local;
        }
    }

    /**
     * The connection's slot, made at its first request: kept on its head scanner when it has one (no map
     * lookup per request), else as a connection attachment.
     */
    private static ConnectionSlot slot(HttpServerExchange server, HeadScanConduit scanner) {
        ServerConnection connection = server.getConnection();
        ConnectionSlot slot = scanner != null ? (ConnectionSlot) scanner.connectionState
                : connection.getAttachment(SLOT);
        if (slot == null) {
            ConnectionSlot created = new ConnectionSlot(server.getSourceAddress(), server.getDestinationAddress());
            connection.addCloseListener(c -> {
                Flight current = created.flight;
                if (current != null) {
                    current.clientGone();
                }
            });
            if (scanner != null) {
                scanner.connectionState = created;
            } else {
                connection.putAttachment(SLOT, created);
            }
            slot = created;
        }
        return slot;
    }
}
