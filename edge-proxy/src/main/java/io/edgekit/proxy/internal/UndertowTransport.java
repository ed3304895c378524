package io.edgekit.proxy.internal;

import io.edgekit.core.Endpoint;
import io.edgekit.core.Exchange;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Transport;
import io.edgekit.core.Upstream;
import io.edgekit.core.internal.EngineAttrs;
import io.undertow.server.HttpServerExchange;
import java.util.concurrent.CompletionStage;

/** Sends attempts over Undertow's non-blocking HTTP/1.1 client, on the IO thread of the request. */
final class UndertowTransport implements Transport {
    private final ConnectionPools pools;

    UndertowTransport(ConnectionPools pools) {
        this.pools = pools;
    }

    @Override
    public CompletionStage<Response> send(Exchange exchange, Endpoint endpoint, Request request, Upstream upstream,
            Timeouts timeouts) {
        Flight flight = exchange.getOrNull(Flight.KEY);
        HttpServerExchange server = flight.server;
        long maxBody = exchange.get(EngineAttrs.MAX_REQUEST_BODY).orElse(Long.MAX_VALUE);
        UpstreamCall call = new UpstreamCall(exchange, endpoint, request, upstream, timeouts,
                server.getIoThread(), server.getConnection().getByteBufferPool(), maxBody);
        flight.call = call;
        if (Thread.currentThread() == server.getIoThread()) {
            call.start(pools);
        } else {
            server.getIoThread().execute(() -> call.start(pools));
        }
        return call.future;
    }
}
