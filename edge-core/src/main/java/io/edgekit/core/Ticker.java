package io.edgekit.core;

/**
 * A source of monotonic time in nanoseconds. Every timeout, limiter, cache and ejection in Edgekit
 * reads time from a ticker so that tests can drive it by hand.
 */
@FunctionalInterface
public interface Ticker {
    long nanos();

    static Ticker system() {
        return System::nanoTime;
    }
}
