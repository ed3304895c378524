package io.edgekit.core;

/**
 * Admits or refuses an attempt before it is sent: the seam for circuit breaking and concurrency limits.
 * A refused attempt sends nothing and ends as {@link Outcome.Kind#UNAVAILABLE}; when no other attempt can
 * be made the client gets 503. Told every admitted attempt's outcome. Set per upstream with
 * {@link Upstream.Builder#admission}; thread-safe, lock-free on {@link #admit}.
 */
public interface Admission {

    /** True to send the attempt to its (already picked) endpoint. */
    boolean admit(Attempt attempt);

    /** How an admitted attempt ended. */
    default void onComplete(Attempt attempt, Outcome outcome) {
    }

    /** Admits everything. */
    Admission ALWAYS = attempt -> true;

    /**
     * Admits everything and avoids an endpoint for {@code duration} after an attempt to it fails without an
     * answer (a connect failure, a reset, a timeout), as NGINX's {@code max_fails=1 fail_timeout=10s} does;
     * it comes back by itself when the time is up. Never takes out the upstream's last serving endpoint. The
     * default admission of every upstream, with 10 seconds; the load-balancer role's outlier detection and
     * circuit breaking replace it when set.
     */
    static Admission passive(java.time.Duration duration) {
        java.util.Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
        }
        return new Admission() {
            @Override
            public boolean admit(Attempt attempt) {
                return true;
            }

            @Override
            public void onComplete(Attempt attempt, Outcome outcome) {
                Outcome.Kind kind = outcome.kind();
                EndpointGroup group = attempt.group();
                if (group == null || outcome.endpoint() == null || kind != Outcome.Kind.CONNECT_FAILED
                        && kind != Outcome.Kind.RESET && kind != Outcome.Kind.TIMEOUT) {
                    return;
                }
                EndpointSnapshot snapshot = group.snapshot();
                String address = outcome.endpoint().address();
                boolean serving = snapshot.state(address).map(EndpointState::isServing).orElse(false);
                if (serving && snapshot.serving().size() > 1) {
                    try {
                        group.eject(address, duration);
                    } catch (IllegalArgumentException gone) {
                        // removed meanwhile
                    }
                }
            }

            @Override
            public String toString() {
                return "Admission[passive " + duration.toMillis() + " ms]";
            }
        };
    }

    /**
     * Admits when each of {@code admissions} admits, asked in order; when one refuses, those that admitted
     * before it are told the attempt ended {@link Outcome.Kind#UNAVAILABLE} (so a counter they raised comes
     * down). Every admission is told every admitted attempt's outcome.
     */
    static Admission allOf(Admission... admissions) {
        Admission[] all = admissions.clone();
        for (Admission admission : all) {
            java.util.Objects.requireNonNull(admission, "admission");
        }
        return new Admission() {
            @Override
            public boolean admit(Attempt attempt) {
                for (int i = 0; i < all.length; i++) {
                    if (!all[i].admit(attempt)) {
                        Outcome refused = new Outcome(attempt.endpoint(), Outcome.Kind.UNAVAILABLE, 0, 0);
                        for (int j = 0; j < i; j++) {
                            all[j].onComplete(attempt, refused);
                        }
                        return false;
                    }
                }
                return true;
            }

            @Override
            public void onComplete(Attempt attempt, Outcome outcome) {
                for (Admission admission : all) {
                    admission.onComplete(attempt, outcome);
                }
            }

            @Override
            public String toString() {
                return "allOf" + java.util.Arrays.toString(all);
            }
        };
    }
}
