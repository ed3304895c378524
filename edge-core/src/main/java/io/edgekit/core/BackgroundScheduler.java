package io.edgekit.core;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread that runs scheduled tasks: the scheduler of exchanges built outside a runtime and of
 * edges given none. Tasks must be short; one that throws is logged and the thread goes on.
 */
final class BackgroundScheduler implements Scheduler {
    private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(BackgroundScheduler.class);
    private static final BackgroundScheduler SHARED = new BackgroundScheduler();

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "edgekit-scheduler");
        thread.setDaemon(true);
        return thread;
    });

    private BackgroundScheduler() {
    }

    static BackgroundScheduler shared() {
        return SHARED;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> future = executor.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                logger.warn("a scheduled task failed", e);
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }
}
