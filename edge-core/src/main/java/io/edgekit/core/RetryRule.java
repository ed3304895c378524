package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Set;

/**
 * Decides whether a failed attempt is tried again on another endpoint. Asked once per attempt that ended
 * without a response the client may get: a failure ({@link Outcome.Kind#CONNECT_FAILED}, {@code RESET},
 * {@code TIMEOUT}) or a response the rule may refuse (a 503, say); always before any byte of that
 * attempt's response reached the client. The rule sees the attempt (its number, kind, method, whether its
 * body can be replayed) and the outcome; the upstream's {@link RetryBudget} and attempt limit bound what
 * it asks for. Set per upstream with {@link Upstream.Builder#retryRule}. Must not block.
 */
@FunctionalInterface
public interface RetryRule {

    Verdict decide(Attempt attempt, Outcome outcome);

    /** What the rule decided: stop (the outcome answers), or retry after a backoff. */
    record Verdict(boolean retry, Duration backoff) {
        private static final Verdict STOP = new Verdict(false, Duration.ZERO);
        private static final Verdict NOW = new Verdict(true, Duration.ZERO);

        public Verdict {
            requireNonNull(backoff, "backoff");
            if (backoff.isNegative()) {
                throw new IllegalArgumentException("backoff: " + backoff + " (expected: >= 0)");
            }
        }

        public static Verdict stop() {
            return STOP;
        }

        public static Verdict retryNow() {
            return NOW;
        }

        public static Verdict retryAfter(Duration backoff) {
            return backoff.isZero() ? NOW : new Verdict(true, backoff);
        }
    }

    /**
     * The default: retry only when connecting failed (nothing was sent, so another endpoint is always
     * safe), at once, whatever the method.
     */
    static RetryRule onConnectFailure() {
        return (attempt, outcome) -> outcome.kind() == Outcome.Kind.CONNECT_FAILED ? Verdict.retryNow()
                : Verdict.stop();
    }

    /**
     * Retry at once on a connect failure, and for idempotent requests whose body can be replayed also
     * on a reset, a timeout, or one of {@code statuses}.
     */
    static RetryRule idempotent(Set<Integer> statuses) {
        boolean[] retried = new boolean[600];
        for (int status : statuses) {
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("status: " + status + " (expected: 100-599)");
            }
            retried[status] = true;
        }
        return (attempt, outcome) -> {
            Outcome.Kind kind = outcome.kind();
            if (kind == Outcome.Kind.CONNECT_FAILED) {
                return Verdict.retryNow();
            }
            boolean failed = kind == Outcome.Kind.RESET || kind == Outcome.Kind.TIMEOUT
                    || kind == Outcome.Kind.RESPONSE && outcome.status() < 600 && retried[outcome.status()];
            return failed && attempt.isReplayable() && isIdempotent(attempt.request().method()) ? Verdict.retryNow()
                    : Verdict.stop();
        };
    }

    /** GET, HEAD, OPTIONS, TRACE, PUT and DELETE (RFC 9110, section 9.2.2). */
    static boolean isIdempotent(String method) {
        switch (method) {
            case "GET": case "HEAD": case "OPTIONS": case "TRACE": case "PUT": case "DELETE":
                return true;
            default:
                return false;
        }
    }
}
