package io.edgekit.core;

import static java.util.Objects.requireNonNull;

/**
 * An attempt failed: what kind of failure, and the status the edge answers with (502 failed, 503
 * unavailable, 504 timed out). The message is for logs only; it never reaches clients. No stack trace.
 */
public final class UpstreamException extends RuntimeException {
    private final Outcome.Kind kind;
    private final int status;

    public UpstreamException(Outcome.Kind kind, int status, String message) {
        super(message, null, false, false);
        this.kind = requireNonNull(kind, "kind");
        if (status != 502 && status != 503 && status != 504) {
            throw new IllegalArgumentException("status: " + status + " (expected: 502, 503 or 504)");
        }
        this.status = status;
    }

    public static UpstreamException connectFailed(String message) {
        return new UpstreamException(Outcome.Kind.CONNECT_FAILED, 502, message);
    }

    public static UpstreamException reset(String message) {
        return new UpstreamException(Outcome.Kind.RESET, 502, message);
    }

    public static UpstreamException timeout(String message) {
        return new UpstreamException(Outcome.Kind.TIMEOUT, 504, message);
    }

    public static UpstreamException unavailable(String message) {
        return new UpstreamException(Outcome.Kind.UNAVAILABLE, 503, message);
    }

    public Outcome.Kind kind() {
        return kind;
    }

    public int status() {
        return status;
    }
}
