package io.edgekit.proxy.internal;

import io.edgekit.core.Edge;
import io.edgekit.core.Endpoint;
import io.edgekit.core.Exchange;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Transport;
import io.edgekit.core.Upstream;
import io.edgekit.core.internal.EngineAttrs;
import io.undertow.server.HttpServerExchange;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Sends attempts over Undertow's non-blocking HTTP/1.1 client, on the IO thread of the request. */
final class UndertowTransport implements Transport {
    private final ConnectionPools pools;
    /** One sweeper per IO thread, by thread number; each slot is only touched by its own thread. */
    private final CallSweeper[] sweepers;

    UndertowTransport(ConnectionPools pools, int ioThreads) {
        this.pools = pools;
        this.sweepers = new CallSweeper[ioThreads];
    }

    CallSweeper sweeper(org.xnio.XnioIoThread ioThread) {
        int n = ioThread.getNumber();
        CallSweeper sweeper = sweepers[n];
        if (sweeper == null) {
            sweeper = new CallSweeper(ioThread);
            sweepers[n] = sweeper;
        }
        return sweeper;
    }

    @Override
    public CompletionStage<Response> send(Exchange exchange, Endpoint endpoint, Request request, Upstream upstream,
            Timeouts timeouts) {
        Flight flight = exchange.getOrNull(Flight.KEY);
        HttpServerExchange server = flight.server;
        long maxBody = exchange.get(EngineAttrs.MAX_REQUEST_BODY).orElse(Long.MAX_VALUE);
        boolean mirror = request.headers().contains(Edge.MIRROR_HEADER);
        if (!mirror) {
            flight.call = null;
        }
        if (Thread.currentThread() == server.getIoThread()) {
            UpstreamCall call = prepare(flight, exchange, endpoint, request, upstream, timeouts, maxBody, mirror);
            IoThreads.atEndOfTurn(server.getIoThread(), () -> call.start(pools)); // sent with this turn's writes
            return call.future;
        }
        CompletableFuture<Response> result = new CompletableFuture<>();
        server.getIoThread().execute(() -> {
            UpstreamCall call = prepare(flight, exchange, endpoint, request, upstream, timeouts, maxBody, mirror);
            call.start(pools); // already a queued task: this turn's writes are going out now
            call.future.whenComplete((response, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(response);
                }
            });
            result.whenComplete((response, error) -> {
                if (error instanceof java.util.concurrent.CancellationException) {
                    call.future.cancel(false);
                }
            });
        });
        return result;
    }

    private UpstreamCall prepare(Flight flight, Exchange exchange, Endpoint endpoint, Request request,
            Upstream upstream, Timeouts timeouts, long maxBody, boolean mirror) {
        HttpServerExchange server = flight.server;
        UpstreamCall call = new UpstreamCall(exchange, endpoint, request, upstream, timeouts,
                server.getIoThread(), server.getConnection().getByteBufferPool(), maxBody,
                sweeper(server.getIoThread()));
        if (!mirror) {
            flight.call = call; // a mirrored copy runs on its own: the client's answer never waits for it
        }
        return call;
    }
}
