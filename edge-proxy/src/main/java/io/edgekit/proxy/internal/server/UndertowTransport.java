package io.edgekit.proxy.internal.server;

import io.edgekit.core.Attempt;
import io.edgekit.core.Exchange;
import io.edgekit.core.Response;
import io.edgekit.core.Transport;
import io.edgekit.core.internal.EngineAttrs;
import io.edgekit.proxy.internal.io.CallSweeper;
import io.edgekit.proxy.internal.io.IoThreads;
import io.edgekit.proxy.internal.upstream.ConnectionPools;
import io.edgekit.proxy.internal.upstream.UpstreamCall;
import io.undertow.server.HttpServerExchange;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sends attempts over the edge's non-blocking HTTP/1.1 client (Undertow's for HTTP/2 upstreams), on the IO
 * thread of the request. Each attempt's call is kept with the attempt; a mirror's runs on its own, and the
 * client's answer never waits for it.
 */
public final class UndertowTransport implements Transport {
    private final ConnectionPools pools;
    /** One sweeper per IO thread, by thread number; each slot is only touched by its own thread. */
    private final CallSweeper[] sweepers;

    private final io.edgekit.core.Ticker ticker;

    UndertowTransport(ConnectionPools pools, int ioThreads, io.edgekit.core.Ticker ticker) {
        this.pools = pools;
        this.ticker = ticker;
        this.sweepers = new CallSweeper[ioThreads];
    }

    CallSweeper sweeper(org.xnio.XnioIoThread ioThread) {
        int n = ioThread.getNumber();
        CallSweeper sweeper = sweepers[n];
        if (sweeper == null) {
            sweeper = new CallSweeper(ioThread, ticker);
            sweepers[n] = sweeper;
        }
        return sweeper;
    }

    @Override
    public CompletionStage<Response> send(Attempt attempt) {
        Exchange exchange = attempt.exchange();
        Flight flight = exchange.getOrNull(Flight.KEY);
        HttpServerExchange server = flight.server;
        if (Thread.currentThread() == server.getIoThread()) {
            UpstreamCall call = prepare(flight, attempt);
            IoThreads.atEndOfTurn(server.getIoThread(), () -> call.start(pools)); // sent with this turn's writes
            return call.future;
        }
        CompletableFuture<Response> result = new CompletableFuture<>();
        server.getIoThread().execute(() -> {
            UpstreamCall call = prepare(flight, attempt);
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

    private UpstreamCall prepare(Flight flight, Attempt attempt) {
        Exchange exchange = attempt.exchange();
        HttpServerExchange server = flight.server;
        long maxBody = exchange.get(EngineAttrs.MAX_REQUEST_BODY).orElse(Long.MAX_VALUE);
        UpstreamCall call = new UpstreamCall(exchange, attempt.endpoint(), attempt.outbound(), attempt.upstream(),
                attempt.timeouts(), server.getIoThread(), server.getConnection().getByteBufferPool(), maxBody,
                sweeper(server.getIoThread()));
        attempt.put(UpstreamCall.KEY, call);
        if (attempt.kind() != Attempt.Kind.MIRROR) {
            flight.started(call);
        }
        return call;
    }
}
