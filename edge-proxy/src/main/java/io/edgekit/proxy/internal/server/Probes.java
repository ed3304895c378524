package io.edgekit.proxy.internal.server;

import io.edgekit.core.Body;
import io.edgekit.core.Endpoint;
import io.edgekit.core.Exchange;
import io.edgekit.core.ProbeClient;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Ticker;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Upstream;
import io.edgekit.core.UpstreamException;
import io.edgekit.proxy.internal.io.IoScheduler;
import io.edgekit.proxy.internal.upstream.ConnectionPools;
import io.edgekit.proxy.internal.upstream.UpstreamCall;
import io.undertow.connector.ByteBufferPool;
import java.util.concurrent.CompletableFuture;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/** The probe client of a running edge: requests to endpoints outside any client's request. */
final class Probes {
    private final Ticker ticker;
    private final UndertowTransport transport;
    private final ConnectionPools pools;
    private final java.util.function.Function<XnioIoThread, IoScheduler> schedulers;

    Probes(Ticker ticker, UndertowTransport transport, ConnectionPools pools,
            java.util.function.Function<XnioIoThread, IoScheduler> schedulers) {
        this.ticker = ticker;
        this.transport = transport;
        this.pools = pools;
        this.schedulers = schedulers;
    }

    /**
     * A probe client on {@code worker}'s IO threads and the edge's upstream connection pools: each probe
     * is an upstream call made on an IO thread outside any client's request, its response body read into
     * memory up to {@link #MAX_PROBE_BODY}.
     */
    public ProbeClient probes(XnioWorker worker, ByteBufferPool buffers) {
        return (upstream, endpoint, request, timeout) -> {
            CompletableFuture<Response> result = new CompletableFuture<>();
            XnioIoThread io = worker.getIoThread();
            io.execute(() -> probe(io, buffers, upstream, endpoint, request, timeout, result));
            return result;
        };
    }

    private static final int MAX_PROBE_BODY = 64 * 1024;

    private void probe(XnioIoThread io, ByteBufferPool buffers, Upstream upstream, Endpoint endpoint,
            Request request, java.time.Duration timeout, CompletableFuture<Response> result) {
        Request sent = request.authority().isEmpty() ? request.withAuthority(endpoint.address()) : request;
        IoScheduler scheduler = schedulers.apply(io);
        Exchange exchange = Exchange.builder(sent).ticker(ticker).scheduler(scheduler).build();
        Timeouts timeouts = new Timeouts(timeout, timeout, timeout, java.time.Duration.ZERO);
        UpstreamCall call = new UpstreamCall(exchange, endpoint, sent, upstream, timeouts, io, buffers, 0,
                transport.sweeper(io));
        io.edgekit.core.Scheduler.Cancellable timer = scheduler.schedule(timeout, () -> {
            if (result.completeExceptionally(UpstreamException.timeout("probe to " + endpoint + " timed out"))) {
                call.future.cancel(false);
            }
        });
        call.future.thenCompose(response -> response.body().aggregate(MAX_PROBE_BODY)
                        .thenApply(bytes -> response.withBody(Body.of(bytes))))
                .whenComplete((response, error) -> {
                    timer.cancel();
                    if (error != null) {
                        Throwable cause = error instanceof java.util.concurrent.CompletionException
                                && error.getCause() != null ? error.getCause() : error;
                        result.completeExceptionally(cause);
                    } else {
                        result.complete(response);
                    }
                });
        call.start(pools);
    }
}
