package io.edgekit.core;

import static java.util.Objects.requireNonNull;

/**
 * An attempt failed: what kind of failure, and the status the edge answers with (502 failed, 503
 * unavailable, 504 timed out). The message is for logs only; it never reaches clients. No stack trace.
 */
public final class UpstreamException extends RuntimeException {
    private final Outcome.Kind kind;
    private final int status;
    private final boolean overloaded;

    public UpstreamException(Outcome.Kind kind, int status, String message) {
        this(kind, status, message, false);
    }

    private UpstreamException(Outcome.Kind kind, int status, String message, boolean overloaded) {
        super(message, null, false, false);
        this.overloaded = overloaded;
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

    /**
     * The upstream's admission refused the attempt (a concurrency limit, an open circuit): answered 503 with
     * {@code Retry-After}, as nothing was sent.
     */
    public static UpstreamException overloaded(String message) {
        return new UpstreamException(Outcome.Kind.UNAVAILABLE, 503, message, true);
    }

    /** True when the upstream's admission refused the attempt. */
    public boolean isOverloaded() {
        return overloaded;
    }

    public Outcome.Kind kind() {
        return kind;
    }

    public int status() {
        return status;
    }
}
