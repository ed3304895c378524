package io.edgekit.balance;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Admission;
import io.edgekit.core.Attempt;
import io.edgekit.core.EndpointGroup;
import io.edgekit.core.EndpointState;
import io.edgekit.core.Outcome;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive health checks (outlier detection): watches every attempt's outcome and ejects an endpoint after
 * a run of consecutive failures, for the base ejection time times the number of times it has been ejected,
 * capped; it comes back by itself when the time is up, with no probe needed. Never ejects beyond a maximum
 * share of the upstream's endpoints. What counts as a failure: connect failures, resets and timeouts, and
 * either every 5xx response or only the gateway errors (502, 503, 504). Attempts the edge abandoned (a
 * hedge that lost, a client gone) count for nothing. Set as the upstream's admission (it admits every
 * attempt); state is kept per upstream name and endpoint address, so it survives route swaps. Built with
 * {@link HealthChecks#outlierDetection()}. Thread-safe and lock-free on the request path.
 */
public final class OutlierDetection implements Admission {
    private static final Logger logger = LoggerFactory.getLogger(OutlierDetection.class);

    /** Which responses count as failures, besides connect failures, resets and timeouts. */
    public enum Failures {
        /** Every 5xx status. */
        ANY_5XX,
        /** 502, 503 and 504 only. */
        GATEWAY_ERRORS,
        /** No status: only connect failures, resets and timeouts. */
        CONNECTION_ONLY
    }

    private final int consecutiveFailures;
    private final Failures failures;
    private final Duration baseEjection;
    private final Duration maxEjection;
    private final int maxEjectedPercent;
    private final Map<String, Stats> stats = new ConcurrentHashMap<>();

    /** One endpoint's record: failures in a row, times ejected. */
    private static final class Stats {
        final AtomicInteger inARow = new AtomicInteger();
        final AtomicInteger ejections = new AtomicInteger();
    }

    private OutlierDetection(Builder b) {
        this.consecutiveFailures = b.consecutiveFailures;
        this.failures = b.failures;
        this.baseEjection = b.baseEjection;
        this.maxEjection = b.maxEjection;
        this.maxEjectedPercent = b.maxEjectedPercent;
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean admit(Attempt attempt) {
        return true;
    }

    @Override
    public void onComplete(Attempt attempt, Outcome outcome) {
        EndpointGroup group = attempt.group();
        if (group == null || outcome.endpoint() == null) {
            return;
        }
        Boolean failed = isFailure(outcome);
        if (failed == null) {
            return;
        }
        String address = outcome.endpoint().address();
        Stats record = stats.computeIfAbsent(group.name() + '|' + address, key -> new Stats());
        if (!failed) {
            record.inARow.set(0);
            return;
        }
        if (record.inARow.incrementAndGet() < consecutiveFailures) {
            return;
        }
        record.inARow.set(0);
        eject(group, address, record, outcome);
    }

    /** True for a failure, false for a success, null for what counts for nothing. */
    private Boolean isFailure(Outcome outcome) {
        switch (outcome.kind()) {
            case CONNECT_FAILED, RESET, TIMEOUT:
                return Boolean.TRUE;
            case RESPONSE:
                int status = outcome.status();
                return switch (failures) {
                    case ANY_5XX -> status >= 500;
                    case GATEWAY_ERRORS -> status == 502 || status == 503 || status == 504;
                    case CONNECTION_ONLY -> false;
                };
            default:
                return null;
        }
    }

    private void eject(EndpointGroup group, String address, Stats record, Outcome outcome) {
        int total = group.snapshot().all().size();
        int ejected = 0;
        EndpointState current = null;
        for (EndpointState state : group.snapshot().all()) {
            if (state.status() == EndpointState.Status.EJECTED) {
                ejected++;
            }
            if (state.address().equals(address)) {
                current = state;
            }
        }
        if (current == null || !current.isServing()) {
            return; // gone, drained or already ejected
        }
        if ((ejected + 1) * 100 > total * maxEjectedPercent) {
            logger.warn("upstream '{}': endpoint {} failed {} times in a row but is not ejected: {} of {} endpoints "
                    + "are ejected already (at most {} %)", group.name(), address, consecutiveFailures, ejected, total,
                    maxEjectedPercent);
            return;
        }
        int times = record.ejections.incrementAndGet();
        long nanos = Math.min(maxEjection.toNanos(), baseEjection.toNanos() * times);
        logger.warn("upstream '{}': endpoint {} failed {} times in a row (last: {}), ejected for {} ms (ejection {})",
                group.name(), address, consecutiveFailures, describe(outcome), nanos / 1_000_000, times);
        group.eject(address, Duration.ofNanos(nanos));
    }

    private static String describe(Outcome outcome) {
        return outcome.kind() == Outcome.Kind.RESPONSE ? "status " + outcome.status() : outcome.kind().toString();
    }

    /** How many times the endpoint at {@code address} of upstream {@code upstream} has been ejected. */
    public int ejections(String upstream, String address) {
        Stats record = stats.get(upstream + '|' + address);
        return record == null ? 0 : record.ejections.get();
    }

    @Override
    public String toString() {
        return "OutlierDetection[" + consecutiveFailures + " " + failures + " in a row, eject " + baseEjection.toMillis()
                + "-" + maxEjection.toMillis() + " ms, at most " + maxEjectedPercent + " %]";
    }

    /** Builds an {@link OutlierDetection}. Scalar setters overwrite. */
    public static final class Builder {
        private int consecutiveFailures = 5;
        private Failures failures = Failures.GATEWAY_ERRORS;
        private Duration baseEjection = Duration.ofSeconds(30);
        private Duration maxEjection = Duration.ofSeconds(300);
        private int maxEjectedPercent = 50;

        private Builder() {
        }

        /** Failures in a row that eject an endpoint (default 5). */
        public Builder consecutiveFailures(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("consecutiveFailures: " + count + " (expected: >= 1)");
            }
            this.consecutiveFailures = count;
            return this;
        }

        /** Which responses count as failures (default {@link Failures#GATEWAY_ERRORS}). */
        public Builder failures(Failures failures) {
            this.failures = requireNonNull(failures, "failures");
            return this;
        }

        /** The first ejection's length; the n-th lasts n times as long, up to {@code max} (30 s and 300 s). */
        public Builder ejection(Duration base, Duration max) {
            requireNonNull(base, "base");
            requireNonNull(max, "max");
            if (base.isNegative() || base.isZero()) {
                throw new IllegalArgumentException("base ejection: " + base + " (expected: > 0)");
            }
            if (max.compareTo(base) < 0) {
                throw new IllegalArgumentException("max ejection: " + max + " (expected: >= the base, " + base + ")");
            }
            this.baseEjection = base;
            this.maxEjection = max;
            return this;
        }

        /** The largest share of the upstream's endpoints ejected at once, in percent (default 50). */
        public Builder maxEjectedPercent(int percent) {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("maxEjectedPercent: " + percent + " (expected: 0-100)");
            }
            this.maxEjectedPercent = percent;
            return this;
        }

        public OutlierDetection build() {
            return new OutlierDetection(this);
        }
    }
}
