package io.edgekit.core;

/**
 * How an attempt ended, reported to the picker: the endpoint, the kind of ending, the response status
 * when there was one, and the time from sending to response headers.
 */
public record Outcome(Endpoint endpoint, Kind kind, int status, long latencyNanos) {

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
