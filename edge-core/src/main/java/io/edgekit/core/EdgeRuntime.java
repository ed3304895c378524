package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.internal.EngineAttrs;
import io.edgekit.core.internal.Forwarding;
import io.edgekit.core.internal.PathCanonicalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request path of an {@link Edge}, as a runtime drives it: {@link #accept} makes an exchange of a request
 * as it arrived, {@link #handle} runs it through the engine, {@link #refused} makes the exchange of a
 * request refused before the engine, and {@link #responseHeadWritten} and {@link #complete} report what the
 * runtime wrote, so that every exchange's listener hears of it exactly once. {@link #start} and
 * {@link #close} run the edge's components and health checkers. Thread-safe.
 */
public final class EdgeRuntime {
    private static final Logger logger = LoggerFactory.getLogger(EdgeRuntime.class);

    private final Edge edge;
    private final List<AutoCloseable> started = new ArrayList<>();
    private boolean running;

    EdgeRuntime(Edge edge) {
        this.edge = edge;
    }

    public Edge edge() {
        return edge;
    }

    /** The edge's clock: what the runtime should give the exchanges it builds. */
    public Ticker ticker() {
        return edge.ticker;
    }

    /** Whether responses (the edge's own included) and upstream requests carry {@code X-Request-Id}. */
    public boolean sendsRequestIdField() {
        return edge.requestIdField;
    }

    /**
     * Makes an exchange for a request as it arrived: hop-by-hop fields and {@code Connection}-named
     * fields dropped, forwarding fields and the request id replaced unless the peer is a trusted proxy,
     * this hop appended to {@code X-Forwarded-*} and {@code Forwarded}, the client address resolved. Its
     * listener hears {@link ExchangeListener#headReceived}.
     *
     * @param inbound   the exchange settings with the request as received
     * @param localPort the port of the listener the request came in on
     */
    public Exchange accept(Exchange.Builder inbound, int localPort) {
        Request raw = inbound.request();
        Forwarding.Prepared prepared = Forwarding.prepare(raw.headers(), raw.authority(),
                inbound.peer().getAddress(), localPort, inbound.secure(), edge.trustedProxies, edge.strippedInbound,
                edge.forwardedFields, edge.requestIdField, edge.underscores);
        PathCanonicalizer.Result path = PathCanonicalizer.canonicalize(raw.path(), edge.pathOptions);
        Request canonical = raw.withHeaders(prepared.headers());
        if (!path.isRejected() && !path.path().equals(raw.path())) {
            canonical = canonical.withPath(path.path());
        }
        inbound.request(canonical).clientAddress(prepared.clientAddress()).listeners(edge.listeners);
        if (prepared.requestId() != null) {
            inbound.requestId(prepared.requestId());
        }
        Exchange exchange = inbound.build();
        if (prepared.refusedName() != null) {
            exchange.put(EngineAttrs.REJECTION, "field name with an underscore: " + prepared.refusedName()
                    + " (this edge refuses them; write " + prepared.refusedName().replace('_', '-') + ")");
        } else if (path.isRejected()) {
            exchange.put(EngineAttrs.REJECTION, path.rejection());
        }
        exchange.listener().headReceived(exchange);
        return exchange;
    }

    /**
     * Makes the exchange of a request the runtime refuses before the engine (a malformed head, too many
     * header fields, the edge draining), with a request id of its own; its listener hears
     * {@link ExchangeListener#headReceived} and {@link ExchangeListener#noRoute}. The runtime then writes
     * its problem response and reports it with {@link #responseHeadWritten} and {@link #complete}.
     */
    public Exchange refused(Exchange.Builder inbound) {
        Exchange exchange = inbound.listeners(edge.listeners).build();
        exchange.listener().headReceived(exchange);
        exchange.listener().noRoute(exchange);
        return exchange;
    }

    /** Handles an exchange made by {@link #accept}; upstream attempts go through {@code transport}. */
    public CompletionStage<Response> handle(Exchange exchange, Transport transport) {
        return new ExchangeCall(edge, edge.plans(), exchange, transport).start();
    }

    /** The runtime wrote the response head with {@code status}. */
    public void responseHeadWritten(Exchange exchange, int status) {
        exchange.listener().responseHeadWritten(exchange, status);
    }

    /**
     * The exchange is over: its listener hears {@link ExchangeListener#completed}, the first time only.
     *
     * @param status            the status the client got
     * @param bytesIn           request body bytes read from the client
     * @param bytesOut          response body bytes written to the client
     * @param responseHeadNanos when the head was written (ticker nanoseconds)
     * @param cacheStatus       the response's {@code Cache-Status}, or null
     * @param error             why the response did not reach its end, or null
     * @return false if the exchange had already completed
     */
    public boolean complete(Exchange exchange, int status, long bytesIn, long bytesOut, long responseHeadNanos,
            String cacheStatus, Throwable error) {
        if (!exchange.markCompleted()) {
            return false;
        }
        long now = exchange.ticker().nanos();
        Completion completion = new Completion(exchange, status, bytesIn, bytesOut,
                responseHeadNanos == 0 ? now : responseHeadNanos, now, cacheStatus, error);
        try {
            exchange.listener().completed(exchange, completion);
        } catch (RuntimeException e) {
            logger.warn("request {}: exchange listener failed on completion", exchange.requestId(), e);
        }
        return true;
    }

    /**
     * Tells {@code listener} of every endpoint that leaves an upstream's group (removed at runtime, drained past
     * its deadline, or gone from a new configuration), with the upstream's name: the runtime closes its
     * connections.
     */
    public void onEndpointRemoved(java.util.function.BiConsumer<String, Endpoint> listener) {
        edge.groups.onRemoved(requireNonNull(listener, "listener"));
    }

    /**
     * Starts the edge's components (in the order added) and every upstream's health checker, with
     * {@code probes} to reach endpoints. Call once, before the first request.
     */
    public synchronized void start(ProbeClient probes) {
        requireNonNull(probes, "probes");
        if (running) {
            throw new IllegalStateException("the edge's runtime is already started");
        }
        running = true;
        EdgeContext context = new Context(probes);
        for (Component component : edge.components) {
            component.start(context);
            started.add(component::close);
        }
        for (EndpointGroup group : edge.groups.all().values()) {
            Upstream upstream = edge.groups.upstream(group.name());
            if (upstream != null && upstream.healthChecker().isPresent()) {
                started.add(upstream.healthChecker().get().start(group, context));
            }
        }
    }

    /** Closes what {@link #start} started, in reverse order. */
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                logger.warn("closing a component failed", e);
            }
        }
        started.clear();
        running = false;
    }

    private final class Context implements EdgeContext {
        private final ProbeClient probes;

        Context(ProbeClient probes) {
            this.probes = probes;
        }

        @Override
        public Ticker ticker() {
            return edge.ticker;
        }

        @Override
        public Scheduler scheduler() {
            return edge.scheduler;
        }

        @Override
        public ProbeClient probes() {
            return probes;
        }

        @Override
        public Optional<EndpointGroup> endpointGroup(String name) {
            return edge.groups.get(name);
        }
    }
}
