package io.edgekit.proxy.internal.io;

import io.edgekit.core.Scheduler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/** Schedules on the IO thread that owns a request, so timers never race the request's channel work. */
public final class IoScheduler implements Scheduler {
    private final XnioIoThread ioThread;

    public IoScheduler(XnioIoThread ioThread) {
        this.ioThread = ioThread;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        XnioExecutor.Key key = ioThread.executeAfter(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return key::remove;
    }
}
