package io.edgekit.proxy;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.opentest4j.AssertionFailedError;

/**
 * Waits, in a test, for something the edge does on its own threads (a completion reported, a connection
 * released): polls every 10 ms up to a bound and fails with {@code what} when the bound passes. The one
 * way integration tests settle; never a bare sleep.
 */
final class Await {
    private Await() {
    }

    /** A condition that may throw (a probe over a socket): a throw counts as not yet. */
    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    /** Polls {@code check}, which may throw; a throw counts as not yet. */
    static void untilHolds(String what, Duration bound, Check check) {
        until(what, bound, () -> {
            try {
                return check.holds();
            } catch (Exception e) {
                return false;
            }
        });
    }

    static void until(String what, BooleanSupplier condition) {
        until(what, Duration.ofSeconds(5), condition);
    }

    static void until(String what, Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionFailedError("not within " + bound.toMillis() + " ms: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionFailedError("interrupted while waiting for " + what);
            }
        }
    }
}
