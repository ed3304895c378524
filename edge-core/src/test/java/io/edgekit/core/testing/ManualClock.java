package io.edgekit.core.testing;

import io.edgekit.core.Scheduler;
import io.edgekit.core.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A ticker and scheduler that only move when a test calls {@link #advance}: time-dependent behaviour
 * (timeouts, limiters, ejection) is tested without sleeping. Tasks due by the new time run in the
 * caller's thread, in order of their due time. It starts at one second, so that zero never stands for a
 * time that passed. Thread-safe.
 */
public final class ManualClock implements Ticker, Scheduler {
    private long nanos = 1_000_000_000L;
    private final List<Task> tasks = new ArrayList<>();

    @Override
    public synchronized long nanos() {
        return nanos;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable runnable) {
        Task task = new Task(nanos + delay.toNanos(), runnable);
        tasks.add(task);
        return () -> {
            synchronized (ManualClock.this) {
                return tasks.remove(task);
            }
        };
    }

    /** Moves time forward and runs every task that became due. */
    public void advance(Duration duration) {
        long target;
        synchronized (this) {
            target = nanos + duration.toNanos();
        }
        for (;;) {
            Task due;
            synchronized (this) {
                due = tasks.stream().filter(t -> t.dueNanos <= target)
                        .min(Comparator.comparingLong(Task::dueNanos)).orElse(null);
                if (due == null) {
                    nanos = target;
                    return;
                }
                tasks.remove(due);
                nanos = Math.max(nanos, due.dueNanos);
            }
            due.runnable.run();
        }
    }

    /** Tasks scheduled and not yet run or cancelled. */
    public synchronized int pendingTasks() {
        return tasks.size();
    }

    private record Task(long dueNanos, Runnable runnable) {
    }
}
