package io.edgekit.balance;

/**
 * The load-balancer role's health checks: active ({@link #http}, set with
 * {@code Upstream.Builder.healthChecker}) and passive ({@link #outlierDetection()}, set with
 * {@code Upstream.Builder.admission}). Both eject and restore endpoints in the upstream's live endpoint
 * group, which every balancer then leaves out of its picks.
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
}
