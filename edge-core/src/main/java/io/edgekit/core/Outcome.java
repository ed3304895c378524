package io.edgekit.core;

/**
 * How an attempt ended, reported to the picker: the endpoint, the kind of ending, the response status
 * when there was one, the time from sending to response headers, and for a failure what the transport said
 * of it (null otherwise): a short cause such as {@code could not resolve api.internal}, never a payload.
 */
public record Outcome(Endpoint endpoint, Kind kind, int status, long latencyNanos, String cause) {

    /** An outcome with no cause to tell. */
    public Outcome(Endpoint endpoint, Kind kind, int status, long latencyNanos) {
        this(endpoint, kind, status, latencyNanos, null);
    }

    /** The kinds of ending. */
    public enum Kind {
        /** The upstream answered (any status). */
        RESPONSE,
        /** No connection could be made: nothing was sent, a retry is always safe. */
        CONNECT_FAILED,
        /** The connection failed after the request started. */
        RESET,
        /** A connect, response-header, idle or total timeout fired. */
        TIMEOUT,
        /** The attempt was abandoned by the edge (client gone, limit hit, a hedge that lost). */
        CANCELLED,
        /** Nothing was sent: no endpoint could be picked, or the upstream's admission refused the attempt. */
        UNAVAILABLE
    }

    public boolean isSuccess() {
        return kind == Kind.RESPONSE && status < 500;
    }
}
