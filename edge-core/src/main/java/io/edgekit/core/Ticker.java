package io.edgekit.core;

/**
 * A source of monotonic time in nanoseconds: the edge's one clock, set with {@link Edge.Builder#ticker}.
 * Exchanges, the runtime's upstream deadlines and connection pools, endpoint ejections, the cache's
 * resident time and the listener's timings read it, so tests can drive time by hand ({@code ManualClock});
 * timers themselves run on a {@link Scheduler}.
 */
@FunctionalInterface
public interface Ticker {
    long nanos();

    static Ticker system() {
        return System::nanoTime;
    }
}
