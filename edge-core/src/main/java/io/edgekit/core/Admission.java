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
}
