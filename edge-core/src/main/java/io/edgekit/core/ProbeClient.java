package io.edgekit.core;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Sends a request to one endpoint outside any client's request: what a {@link HealthChecker} probes
 * with. The runtime sends it on its own connections without blocking any thread; the stage completes with
 * the response, its body read into memory (up to 64 KiB; beyond it the stage fails), or with an
 * {@link UpstreamException} when the endpoint cannot be reached or does not answer within {@code timeout}.
 */
@FunctionalInterface
public interface ProbeClient {
    CompletionStage<Response> probe(Upstream upstream, Endpoint endpoint, Request request, Duration timeout);
}
