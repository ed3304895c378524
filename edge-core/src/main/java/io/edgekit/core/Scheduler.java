package io.edgekit.core;

import java.time.Duration;

/**
 * Runs a task after a delay, without blocking the caller. The runtime schedules on the IO thread that
 * owns the request; tests use a manual clock that fires tasks when advanced.
 */
@FunctionalInterface
public interface Scheduler {
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduled task that can be called off. */
    @FunctionalInterface
    interface Cancellable {
        /** Calls the task off if it has not run yet; returns false if it already ran or was cancelled. */
        boolean cancel();
    }
}
