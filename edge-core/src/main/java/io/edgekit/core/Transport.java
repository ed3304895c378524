package io.edgekit.core;

import java.util.concurrent.CompletionStage;

/**
 * Sends one attempt to one endpoint: the seam between the engine and the runtime that owns sockets
 * (edge-proxy's Undertow client), or an in-memory fake in tests.
 *
 * <p>The stage completes with the response once its headers have arrived (the body streams), or
 * exceptionally with an {@link UpstreamException}. If the engine cancels the stage (a total timeout,
 * the client gone), the transport abandons the attempt and closes its connection.
 */
@FunctionalInterface
public interface Transport {
    CompletionStage<Response> send(Exchange exchange, Endpoint endpoint, Request request, Upstream upstream,
            Timeouts timeouts);
}
