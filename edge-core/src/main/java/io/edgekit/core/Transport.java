package io.edgekit.core;

import java.util.concurrent.CompletionStage;

/**
 * Sends one attempt to its endpoint: the seam between the engine and the runtime that owns sockets
 * (edge-proxy's upstream client), or an in-memory fake in tests. The attempt carries the endpoint, the
 * request as it goes out, the upstream's settings and the timeouts; the transport keeps its own state
 * for the attempt in the attempt's attributes, never on the exchange, since several attempts of one
 * exchange may be in flight (hedging, mirrors).
 *
 * <p>The stage completes with the response once its headers have arrived (the body streams), or
 * exceptionally with an {@link UpstreamException}. If the engine cancels the stage (a total or per-attempt
 * timeout, a hedge that lost, the client gone), the transport abandons the attempt and closes its
 * connection.
 */
@FunctionalInterface
public interface Transport {
    CompletionStage<Response> send(Attempt attempt);
}
