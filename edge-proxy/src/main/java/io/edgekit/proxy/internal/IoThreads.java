package io.edgekit.proxy.internal;

import org.xnio.XnioIoThread;

/** Running work on the IO thread that owns a connection. */
final class IoThreads {
    private IoThreads() {
    }

    /** Runs {@code task} now when called on {@code ioThread}, else queues it there. */
    static void run(XnioIoThread ioThread, Runnable task) {
        if (Thread.currentThread() == ioThread) {
            task.run();
        } else {
            ioThread.execute(task);
        }
    }
}
