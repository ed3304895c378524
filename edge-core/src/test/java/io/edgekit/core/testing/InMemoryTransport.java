package io.edgekit.core.testing;

import io.edgekit.core.Attempt;
import io.edgekit.core.Endpoint;
import io.edgekit.core.Handler;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Transport;
import io.edgekit.core.UpstreamException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Transport} with no sockets: each endpoint address is served by a {@link Handler} in memory,
 * or refuses connections, or never answers. Records every request sent, for assertions.
 */
public final class InMemoryTransport implements Transport {
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<Response>> hanging = new CopyOnWriteArrayList<>();
    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();

    /** A request as it left the engine. */
    public record Sent(Endpoint endpoint, Request request) {
    }

    /** Serves {@code endpoint} with {@code handler}. */
    public InMemoryTransport serve(String address, Handler handler) {
        handlers.put(address, handler);
        return this;
    }

    /** {@code address} refuses connections (the engine may try another endpoint). */
    public InMemoryTransport refuse(String address) {
        handlers.put(address, (ex, r) -> CompletableFuture.failedFuture(UpstreamException.connectFailed("refused")));
        return this;
    }

    /** {@code address} accepts the request and never answers. */
    public InMemoryTransport hang(String address) {
        handlers.put(address, (ex, r) -> {
            CompletableFuture<Response> never = new CompletableFuture<>();
            hanging.add(never);
            return never;
        });
        return this;
    }

    /** Every request that reached an endpoint's handler (refused and hanging attempts too), in order. */
    public List<Sent> sent() {
        return List.copyOf(sent);
    }

    /** Attempts that were left hanging and later cancelled by the engine. */
    public long cancelledAttempts() {
        return hanging.stream().filter(CompletableFuture::isCancelled).count();
    }

    /** Every attempt sent, in order, with its kind and endpoint. */
    public List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    @Override
    public CompletionStage<Response> send(Attempt attempt) {
        Endpoint endpoint = attempt.endpoint();
        Request request = attempt.outbound();
        sent.add(new Sent(endpoint, request));
        attempts.add(attempt);
        Handler handler = handlers.get(endpoint.address());
        if (handler == null) {
            return CompletableFuture.failedFuture(UpstreamException.connectFailed("no such endpoint"));
        }
        return handler.handle(attempt.exchange(), request);
    }
}
