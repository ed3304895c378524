package io.edgekit.proxy.internal.io;

import org.xnio.XnioIoThread;

/** Running work on the IO thread that owns a connection. */
public final class IoThreads {
    private IoThreads() {
    }

    /**
     * Queues {@code task} on {@code ioThread}; called on that thread, it runs once the events of this
     * turn of its event loop are handled, together with the other writes the turn queued (XNIO drains its
     * task queue before it selects again). Writes that leave in one burst wake a peer that sleeps (the
     * upstream's worker, a load generator, anything on the same host) once per burst instead of once per
     * write, and each wake-up is paid in the writing system call (see "Writes at the end of the turn" in
     * benchmarks/README for what it saved).
     */
    public static void atEndOfTurn(XnioIoThread ioThread, Runnable task) {
        ioThread.execute(task);
    }

    /** Runs {@code task} now when called on {@code ioThread}, else queues it there. */
    public static void run(XnioIoThread ioThread, Runnable task) {
        if (Thread.currentThread() == ioThread) {
            task.run();
        } else {
            ioThread.execute(task);
        }
    }
}
