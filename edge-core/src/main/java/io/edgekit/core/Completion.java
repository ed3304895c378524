package io.edgekit.core;

import java.util.Optional;

/**
 * How an exchange ended, as {@link ExchangeListener#completed} reports it: the status the client got, the
 * bytes of body read from the client and written to it, the timings on the exchange's ticker, the route,
 * the endpoint that served (the attempt whose response was answered), the identity a policy set, the
 * {@code Cache-Status} the response carried, and the failure, if the response did not reach its end.
 */
public final class Completion {
    private final int status;
    private final long bytesIn;
    private final long bytesOut;
    private final long startNanos;
    private final long responseHeadNanos;
    private final long endNanos;
    private final String routeId;
    private final Endpoint endpoint;
    private final Identity identity;
    private final String cacheStatus;
    private final Throwable error;

    Completion(Exchange exchange, int status, long bytesIn, long bytesOut, long responseHeadNanos, long endNanos,
            String cacheStatus, Throwable error) {
        this.status = status;
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
        this.startNanos = exchange.startNanos();
        this.responseHeadNanos = responseHeadNanos;
        this.endNanos = endNanos;
        this.routeId = exchange.routeMatch().map(m -> m.route().id()).orElse(null);
        Attempt served = exchange.servingAttempt();
        this.endpoint = served == null ? null : served.endpoint();
        this.identity = exchange.identity().orElse(null);
        this.cacheStatus = cacheStatus;
        this.error = error;
    }

    public int status() {
        return status;
    }

    /** Bytes of request body read from the client. */
    public long bytesIn() {
        return bytesIn;
    }

    /** Bytes of response body written to the client. */
    public long bytesOut() {
        return bytesOut;
    }

    /** When the request head arrived, in ticker nanoseconds. */
    public long startNanos() {
        return startNanos;
    }

    /** When the response head was written, in ticker nanoseconds (the end, if none was). */
    public long responseHeadNanos() {
        return responseHeadNanos;
    }

    /** When the exchange ended, in ticker nanoseconds. */
    public long endNanos() {
        return endNanos;
    }

    /** From the head's arrival to the end, in nanoseconds. */
    public long totalNanos() {
        return endNanos - startNanos;
    }

    public Optional<String> routeId() {
        return Optional.ofNullable(routeId);
    }

    /** The endpoint whose response the client got; empty for the edge's own answers. */
    public Optional<Endpoint> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    public Optional<Identity> identity() {
        return Optional.ofNullable(identity);
    }

    /** The response's {@code Cache-Status} field, when a cache answered or passed it on. */
    public Optional<String> cacheStatus() {
        return Optional.ofNullable(cacheStatus);
    }

    /** Why the response did not reach its end (the client left, the upstream body failed). */
    public Optional<Throwable> error() {
        return Optional.ofNullable(error);
    }

    @Override
    public String toString() {
        return "Completion[" + status + " in=" + bytesIn + " out=" + bytesOut + " route=" + routeId
                + " endpoint=" + endpoint + (error == null ? "" : " error=" + error) + "]";
    }
}
