package io.edgekit.gateway.limits;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One limit: {@code permits} per {@code period}, spread evenly (one every {@code period / permits}), with
 * up to {@code burst} taken at once by a client that was quiet. Enforced by the generic cell rate algorithm
 * (GCRA): a key's whole state is one time, so a limit costs one long per key and no timer.
 *
 * @param name the policy name in the {@code RateLimit-Policy} and {@code RateLimit} fields
 */
public record RateLimit(String name, long permits, Duration period, long burst) {
    public RateLimit {
        requireNonNull(name, "name");
        requireNonNull(period, "period");
        if (!name.matches("[a-z][a-z0-9_-]*")) {
            throw new IllegalArgumentException("name: \"" + name + "\" (expected: a lower-case token, such as \"per-second\")");
        }
        if (permits < 1 || period.isNegative() || period.isZero() || period.toNanos() / permits < 1) {
            throw new IllegalArgumentException("limit: " + permits + " per " + period
                    + " (expected: at least 1 permit, and at most one per nanosecond)");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
        }
    }

    /** {@code permits} per second, with a burst of as many. */
    public static RateLimit perSecond(long permits) {
        return new RateLimit("per-second", permits, Duration.ofSeconds(1), permits);
    }

    /** {@code permits} per minute, with a burst of as many. */
    public static RateLimit perMinute(long permits) {
        return new RateLimit("per-minute", permits, Duration.ofMinutes(1), permits);
    }

    /** {@code permits} per hour, with a burst of as many. */
    public static RateLimit perHour(long permits) {
        return new RateLimit("per-hour", permits, Duration.ofHours(1), permits);
    }

    /** This limit with another burst: 1 spaces every request evenly. */
    public RateLimit withBurst(long burst) {
        return new RateLimit(name, permits, period, burst);
    }

    /** This limit under another name. */
    public RateLimit named(String name) {
        return new RateLimit(name, permits, period, burst);
    }

    /** Nanoseconds between two permits at the steady rate. */
    public long intervalNanos() {
        return period.toNanos() / permits;
    }

    /** How far ahead of the steady rate a key may run: the burst beyond the first permit. */
    public long toleranceNanos() {
        return (burst - 1) * intervalNanos();
    }
}
