package io.edgekit.balance;

/**
 * The load-balancer role's health checks and circuit breaking: active checks ({@link #http}, set with
 * {@code Upstream.Builder.healthChecker}), passive checks ({@link #outlierDetection()}) and concurrency
 * limits ({@link #circuitBreaker}), both set with {@code Upstream.Builder.admission} (together with
 * {@code Admission.allOf}). The checks eject and restore endpoints in the upstream's live endpoint group,
 * which every balancer then leaves out of its picks.
 */
public final class HealthChecks {
    private HealthChecks() {
    }

    /** Probes {@code GET path} on every endpoint; see {@link ActiveHealthCheck} for the settings. */
    public static ActiveHealthCheck.Builder http(String path) {
        return ActiveHealthCheck.builder(path);
    }

    /** Ejects endpoints after consecutive failures; see {@link OutlierDetection} for the settings. */
    public static OutlierDetection.Builder outlierDetection() {
        return OutlierDetection.builder();
    }

    /**
     * At most {@code maxConcurrent} attempts in flight to an upstream, and {@code maxPerEndpoint} to each of
     * its endpoints (0: no limit per endpoint); see {@link CircuitBreaker}.
     */
    public static CircuitBreaker circuitBreaker(int maxConcurrent, int maxPerEndpoint) {
        return new CircuitBreaker(maxConcurrent, maxPerEndpoint);
    }
}
