package io.edgekit.balance;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Attempt;
import io.edgekit.core.Outcome;
import io.edgekit.core.Response;
import io.edgekit.core.RetryRule;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A retry rule to configure: which failures are retried (connect failures always; resets, timeouts and
 * chosen statuses for idempotent requests whose body can be sent again, or for every replayable request
 * when asked), with exponential backoff and full jitter between tries, and an upstream's
 * {@code Retry-After} on a 503 or 429 honoured (a wait longer than the longest backoff is not waited for:
 * that answer goes to the client). Attempts, budget and per-try timeouts are the upstream's
 * ({@code maxAttempts}, {@code retryBudget}, {@code attemptTimeout}). Built with {@link #rule()}.
 */
public final class Retries implements RetryRule {
    private final Set<Integer> statuses;
    /** The statuses retried, as a table: no boxing on every attempt's end. */
    private final boolean[] retried = new boolean[600];
    private final boolean anyMethod;
    private final boolean resetsAndTimeouts;
    private final Duration baseBackoff;
    private final Duration maxBackoff;
    private final boolean honourRetryAfter;

    private Retries(Builder b) {
        this.statuses = Set.copyOf(b.statuses);
        for (int status : statuses) {
            retried[status] = true;
        }
        this.anyMethod = b.anyMethod;
        this.resetsAndTimeouts = b.resetsAndTimeouts;
        this.baseBackoff = b.baseBackoff;
        this.maxBackoff = b.maxBackoff;
        this.honourRetryAfter = b.honourRetryAfter;
    }

    /** Starts a rule: by default connect failures, resets and timeouts, 25 ms to 250 ms of backoff. */
    public static Builder rule() {
        return new Builder();
    }

    @Override
    public Verdict decide(Attempt attempt, Outcome outcome) {
        switch (outcome.kind()) {
            case CONNECT_FAILED:
                return backoff(attempt.number());
            case RESET, TIMEOUT:
                return resetsAndTimeouts && mayResend(attempt) ? backoff(attempt.number()) : Verdict.stop();
            case RESPONSE:
                int status = outcome.status();
                if (status < 0 || status >= retried.length || !retried[status] || !mayResend(attempt)) {
                    return Verdict.stop();
                }
                Duration wait = retryAfter(attempt.response());
                if (wait == null) {
                    return backoff(attempt.number());
                }
                return wait.compareTo(maxBackoff) <= 0 ? Verdict.retryAfter(wait) : Verdict.stop();
            default:
                return Verdict.stop();
        }
    }

    private boolean mayResend(Attempt attempt) {
        return attempt.isReplayable() && (anyMethod || RetryRule.isIdempotent(attempt.request().method()));
    }

    /** Full jitter: a random wait up to base x 2^(tries - 1), capped at the longest backoff. */
    private Verdict backoff(int tries) {
        if (baseBackoff.isZero()) {
            return Verdict.retryNow();
        }
        long ceiling = Math.min(maxBackoff.toNanos(), baseBackoff.toNanos() << Math.min(20, tries - 1));
        return Verdict.retryAfter(Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling + 1)));
    }

    /** The upstream's {@code Retry-After} in seconds, when honoured and present on a 503 or 429; else null. */
    private Duration retryAfter(Response response) {
        if (!honourRetryAfter || response == null || response.status() != 503 && response.status() != 429) {
            return null;
        }
        String value = response.headers().firstOrNull("retry-after");
        if (value == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            return Duration.ofDays(1); // an HTTP date: later than any backoff, so the answer stands
        }
    }

    @Override
    public String toString() {
        return "Retries[connect failures" + (resetsAndTimeouts ? ", resets, timeouts" : "") + ", statuses "
                + statuses + (anyMethod ? ", any method" : ", idempotent methods") + ", backoff "
                + baseBackoff.toMillis() + "-" + maxBackoff.toMillis() + " ms]";
    }

    /** Builds a {@link Retries} rule. Scalar setters overwrite; {@code onStatus} appends. */
    public static final class Builder {
        private final Set<Integer> statuses = new HashSet<>();
        private boolean anyMethod;
        private boolean resetsAndTimeouts = true;
        private Duration baseBackoff = Duration.ofMillis(25);
        private Duration maxBackoff = Duration.ofMillis(250);
        private boolean honourRetryAfter = true;

        private Builder() {
        }

        /** Also retries these response statuses (502, 503 and 504 are the usual ones). */
        public Builder onStatus(int... statuses) {
            for (int status : statuses) {
                if (status < 400 || status > 599) {
                    throw new IllegalArgumentException("status: " + status + " (expected: 400-599)");
                }
                this.statuses.add(status);
            }
            return this;
        }

        /** Whether resets and timeouts before the response head are retried (default true). */
        public Builder resetsAndTimeouts(boolean retry) {
            this.resetsAndTimeouts = retry;
            return this;
        }

        /**
         * Retries non-idempotent requests too (POST, PATCH) when their body can be sent again: for upstreams
         * known to make such requests safe to repeat. Off by default.
         */
        public Builder anyMethod(boolean any) {
            this.anyMethod = any;
            return this;
        }

        /** Exponential backoff with full jitter from {@code base} up to {@code max}; zero base: at once. */
        public Builder backoff(Duration base, Duration max) {
            requireNonNull(base, "base");
            requireNonNull(max, "max");
            if (base.isNegative() || max.compareTo(base) < 0) {
                throw new IllegalArgumentException("backoff: " + base + " to " + max
                        + " (expected: 0 <= base <= max)");
            }
            this.baseBackoff = base;
            this.maxBackoff = max;
            return this;
        }

        /** Whether an upstream's {@code Retry-After} on 503 and 429 sets the wait (default true). */
        public Builder honourRetryAfter(boolean honour) {
            this.honourRetryAfter = honour;
            return this;
        }

        public Retries build() {
            return new Retries(this);
        }
    }
}
